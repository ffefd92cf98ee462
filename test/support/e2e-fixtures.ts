/** Creating merchants, influencers and links through the admin API, asserting each 201. */
import type { z } from 'zod';
import {
  type AdminClient,
  bodyOf,
  influencerSchema,
  linkSchema,
  merchantCreatedSchema,
  uniqueId,
} from './e2e-http';

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
