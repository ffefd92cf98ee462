/** GET /openapi.json — built once per instance from the wiring manifest and the request schemas. */
import { openApiDocument } from '../../lib/openapi';
import { optionalEnv } from '../common/config/env';
import { httpHandler } from '../common/http/handler';
import { json } from '../common/http/responses';

const document = JSON.stringify(openApiDocument(optionalEnv('PUBLIC_BASE_URL')));

export const handler = httpHandler(async () => ({
  ...json(200, null, { 'cache-control': 'public, max-age=300' }),
  body: document,
}));
