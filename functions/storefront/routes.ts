import type { RouteSpecs } from '../common/http/route-spec';
import { storefrontPagePathSchema } from '../common/schemas/storefronts';

/** Like a short link, a page path takes any segment: an impossible handle is an unknown one (404 page). */
const viewStorefront = {
  method: 'GET',
  path: '/s/{handle}',
  auth: 'public',
  summary: 'A curated storefront page (HTML); every item links through its short link',
  params: storefrontPagePathSchema,
  responses: {
    200: { description: 'The page (Cache-Control: public, max-age=60; ETag).', contentType: 'text/html' },
    304: { description: 'The page has not changed since the ETag in If-None-Match.' },
    404: { description: 'Unknown handle: an HTML page.', contentType: 'text/html' },
  },
} as const;

export const storefrontRoutes = {
  viewStorefront,
  checkStorefront: {
    ...viewStorefront,
    method: 'HEAD',
    summary: 'Check a storefront page without counting a view',
    responses: { ...viewStorefront.responses, 200: { description: 'The page exists (no view is counted).' } },
  },
} satisfies RouteSpecs;
