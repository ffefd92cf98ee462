import type { RouteSpecs } from '../common/http/route-spec';
import { redirectPathSchema } from '../common/schemas/clicks';

/**
 * A short link's path takes any segment: a code that cannot exist is simply unknown (404), answered
 * as a page to a browser and in the error shape to anything else, like every other unknown code.
 */
const followLink = {
  method: 'GET',
  path: '/{code}',
  auth: 'public',
  summary: 'Follow a short link',
  params: redirectPathSchema,
  responses: {
    302: { description: "Redirect to the link's target with a click id (none for bots)." },
    404: { description: 'Unknown code.' },
    410: { description: 'The link is disabled.' },
  },
} as const;

export const redirectRoutes = {
  followLink,
  checkLink: {
    ...followLink,
    method: 'HEAD',
    summary: 'Check a short link without logging a click',
    responses: { ...followLink.responses, 302: { description: 'Where the link points (no click id).' } },
  },
} satisfies RouteSpecs;
