import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { secretValue } from '../config/secrets';
import { apiError } from './errors';
import { header } from './request';

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Every /admin route needs `Authorization: Bearer <admin token>` (CONTRACT §5). The check lives in
 * the function, not in an API Gateway authorizer, so that a refusal has the contract's 401 body in
 * AWS as well as locally. Both sides are hashed first so the comparison is constant-time whatever
 * the lengths.
 */
export async function requireAdmin(event: APIGatewayProxyEventV2): Promise<void> {
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(header(event, 'authorization') ?? '')?.[1];
  const expected = await secretValue('adminToken');
  if (!presented || !timingSafeEqual(sha256(presented), sha256(expected))) {
    throw apiError('unauthorized', 'A valid admin token is required: Authorization: Bearer <token>.');
  }
}
