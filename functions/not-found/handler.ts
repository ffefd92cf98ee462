/** Any request that matches no route (API Gateway's `$default`): a 404 in the contract's shape. */
import { httpHandler } from '../common/http/handler';
import { error } from '../common/http/responses';

export const handler = httpHandler(async () => error('not_found', 'No such route.'));
