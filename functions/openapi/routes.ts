import type { RouteSpecs } from '../common/http/route-spec';

export const openApiRoutes = {
  openApiDocument: {
    method: 'GET',
    path: '/openapi.json',
    auth: 'public',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1 document.' } },
  },
} satisfies RouteSpecs;
