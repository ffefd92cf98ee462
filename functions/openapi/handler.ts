/**
 * GET /openapi.json — built once per instance from the route declarations and their schemas, at the
 * first request rather than at module init: building it walks every route's schemas, which took
 * about a third of the function's module init, and a request has to pay it only once either way.
 */
import { openApiDocument } from '../../lib/openapi';
import { optionalEnv } from '../common/config/env';
import { routeHandler } from '../common/http/adapter';
import { json } from '../common/http/responses';
import { openApiRoutes } from './routes';

let document: string | undefined;

function documentText(): string {
  document ??= JSON.stringify(openApiDocument(optionalEnv('PUBLIC_BASE_URL')));
  return document;
}

export const handler = routeHandler(openApiRoutes, {
  openApiDocument: async () => ({
    ...json(200, null, { 'cache-control': 'public, max-age=300' }),
    body: documentText(),
  }),
});
