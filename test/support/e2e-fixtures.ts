/** Creating merchants, influencers and links through the admin API, asserting each 201. */
import type { z } from 'zod';
import {
  type AdminClient,
  bodyOf,
  type HttpClient,
  type HttpResponse,
  influencerSchema,
  linkSchema,
  merchantCreatedSchema,
  type OrderView,
  orderViewSchema,
  pollUntil,
  uniqueId,
} from './e2e-http';
import { type SignOptions, signHeaders } from './webhooks';

export const SHOP_DOMAIN = 'shop.example.com';

export function merchantInput(overrides: Record<string, unknown> = {}) {
  return {
    merchantId: uniqueId('mer'),
    name: 'Example Shop',
    allowedDomains: [SHOP_DOMAIN],
    currency: 'USD',
    commission: { defaultBps: 500, categoryBps: { beauty: 1000 } },
    ...overrides,
  };
}

export function influencerInput(overrides: Record<string, unknown> = {}) {
  const id = uniqueId('inf');
  return { influencerId: id, handle: `h_${id}`, name: 'Anna Example', ...overrides };
}

async function created<S extends z.ZodType>(
  admin: AdminClient,
  path: string,
  input: unknown,
  schema: S,
): Promise<z.output<S>> {
  const res = await admin.post(path, input);
  if (res.status !== 201) throw new Error(`POST ${path} → ${res.status} ${res.text}`);
  return bodyOf(res, schema);
}

export const createMerchant = (admin: AdminClient, overrides: Record<string, unknown> = {}) =>
  created(admin, '/admin/merchants', merchantInput(overrides), merchantCreatedSchema);

export const createInfluencer = (admin: AdminClient, overrides: Record<string, unknown> = {}) =>
  created(admin, '/admin/influencers', influencerInput(overrides), influencerSchema);

export const createLink = (
  admin: AdminClient,
  input: { influencerId: string; merchantId: string; targetUrl: string; code?: string; campaign?: string },
) => created(admin, '/admin/links', input, linkSchema);

/** A shopper's click through a short link: the click id the redirect put in `param`. */
export async function clickThrough(shopper: HttpClient, code: string, param = 'clk'): Promise<string> {
  const res = await shopper.get(`/${code}`);
  const clickId = res.location?.searchParams.get(param);
  if (res.status !== 302 || !clickId) throw new Error(`GET /${code} → ${res.status} without a click id`);
  return clickId;
}

/** POSTs an order event as the merchant's shop does: signed with `secret` (Standard Webhooks). */
export function postWebhook(
  http: HttpClient,
  merchantId: string,
  secret: string,
  body: unknown,
  options: SignOptions = {},
): Promise<HttpResponse> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return http.request('POST', `/webhooks/${merchantId}/orders`, {
    body: raw,
    headers: signHeaders(secret, raw, options),
  });
}

/** The order view, polled until `done` (by default: processed, i.e. no longer `pending`). */
export async function waitForOrder(
  admin: AdminClient,
  merchantId: string,
  orderId: string,
  done: (order: OrderView) => boolean = (order) => order.status !== 'pending',
  timeoutMs = 20_000,
): Promise<OrderView> {
  const path = `/admin/orders/${encodeURIComponent(merchantId)}/${encodeURIComponent(orderId)}`;
  const last = await pollUntil(
    async () => {
      const res = await admin.get(path);
      return res.status === 200 ? bodyOf(res, orderViewSchema) : `${res.status} ${res.text}`;
    },
    (view) => typeof view !== 'string' && done(view),
    timeoutMs,
    100,
  );
  if (typeof last === 'string') throw new Error(`GET ${path} → ${last}`);
  return last;
}
