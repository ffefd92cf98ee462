/** GET /openapi.json — built once per instance from the route declarations and their schemas. */
import { openApiDocument } from '../../lib/openapi';
import { optionalEnv } from '../common/config/env';
import { routeHandler } from '../common/http/adapter';
import { json } from '../common/http/responses';
import { openApiRoutes } from './routes';

const document = JSON.stringify(openApiDocument(optionalEnv('PUBLIC_BASE_URL')));

export const handler = routeHandler(openApiRoutes, {
  openApiDocument: async () => ({
    ...json(200, null, { 'cache-control': 'public, max-age=300' }),
    body: document,
  }),
});
