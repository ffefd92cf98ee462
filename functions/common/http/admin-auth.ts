import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { secretValue } from '../config/secrets';
import { apiError } from './errors';
import { header } from './request';

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** The credential of `Authorization: Bearer <credential>`, if the header has that shape. */
export const bearerToken = (event: APIGatewayProxyEventV2): string | undefined =>
  /^Bearer\s+(\S+)\s*$/i.exec(header(event, 'authorization') ?? '')?.[1];

/**
 * Whether a presented credential is the admin token. Both sides are hashed first so the comparison
 * is constant-time whatever the lengths.
 */
export async function isAdminToken(presented: string): Promise<boolean> {
  const expected = await secretValue('adminToken');
  return timingSafeEqual(sha256(presented), sha256(expected));
}

/**
 * Every /admin route needs `Authorization: Bearer <admin token>` (CONTRACT §5). The check lives in
 * the function, not in an API Gateway authorizer, so that a refusal has the contract's 401 body in
 * AWS as well as locally. An API key is not the admin token: 401 like any other wrong token.
 */
export async function requireAdmin(event: APIGatewayProxyEventV2): Promise<void> {
  const presented = bearerToken(event);
  if (!presented || !(await isAdminToken(presented))) {
    throw apiError('unauthorized', 'A valid admin token is required: Authorization: Bearer <token>.');
  }
}
