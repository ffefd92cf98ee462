import type { RouteSpecs } from '../common/http/route-spec';
import { storefrontPagePathSchema } from '../common/schemas/storefronts';

/** Like a short link, a page path takes any segment: an impossible handle is an unknown one (404 page). */
export const storefrontRoutes = {
  viewStorefront: {
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
  },
  checkStorefront: {
    method: 'HEAD',
    path: '/s/{handle}',
    auth: 'public',
    summary: 'Check a storefront page without counting a view',
    params: storefrontPagePathSchema,
    responses: {
      200: { description: 'The page exists.' },
      304: { description: 'The page has not changed since the ETag in If-None-Match.' },
      404: { description: 'Unknown handle.' },
    },
  },
} satisfies RouteSpecs;
