/**
 * The operator API (CONTRACT §5) for merchants, influencers, links, clicks and orders. API Gateway (or the
 * local runtime) has already matched the route in lib/wiring.ts; this only maps its route key to
 * the action that serves it, after the admin token check.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { requireAdmin } from '../common/http/admin-auth';
import { httpHandler } from '../common/http/handler';
import { HttpError, type HttpResult } from '../common/http/responses';
import { getClick } from './clicks';
import { createInfluencer, getInfluencer } from './influencers';
import { createLink, getLink, updateLink } from './links';
import { createMerchant, getMerchant, rotateSecret } from './merchants';
import { getOrder } from './orders';
import { storefrontActions } from './storefronts';

type Action = (event: APIGatewayProxyEventV2, param: (name: string) => string) => Promise<HttpResult>;

const actions: Record<string, Action> = {
  'POST /admin/merchants': (e) => createMerchant(e),
  'GET /admin/merchants/{merchantId}': (_, p) => getMerchant(p('merchantId')),
  'POST /admin/merchants/{merchantId}/secrets': (_, p) => rotateSecret(p('merchantId')),
  'POST /admin/influencers': (e) => createInfluencer(e),
  'GET /admin/influencers/{influencerId}': (_, p) => getInfluencer(p('influencerId')),
  'POST /admin/links': (e) => createLink(e),
  'GET /admin/links/{code}': (_, p) => getLink(p('code')),
  'PATCH /admin/links/{code}': (e, p) => updateLink(e, p('code')),
  'GET /admin/clicks/{clickId}': (_, p) => getClick(p('clickId')),
  'GET /admin/orders/{merchantId}/{orderId}': (_, p) => getOrder(p('merchantId'), p('orderId')),
  ...storefrontActions,
};

export const handler = httpHandler(async (event) => {
  await requireAdmin(event);
  const action = actions[event.routeKey];
  if (!action) throw new HttpError(404, 'not_found', 'No such route.');
  // API Gateway HTTP APIs hand path parameters over already URL-decoded (the local router too).
  const param = (name: string) => event.pathParameters?.[name] ?? '';
  return action(event, param);
});
