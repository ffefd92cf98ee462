/** API keys of merchants and influencers (CONTRACT §11): what the operator sends and is shown. */
import { idSchema, isoTimeSchema } from './common';
import * as z from './zod';

export const createApiKeySchema = z
  .strictObject({ name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)) })
  .register(z.globalRegistry, { id: 'CreateApiKey' });
export type CreateApiKeyInput = z.output<typeof createApiKeySchema>;

export const apiKeyCreatedSchema = z
  .object({
    keyId: idSchema,
    name: z.string(),
    /** `clk_m_…` or `clk_i_…`: shown only in this answer, and stored only as its SHA-256. */
    apiKey: z.string().check(z.regex(/^clk_[mi]_[A-Za-z0-9_-]{43}$/)),
    createdAt: isoTimeSchema,
  })
  .register(z.globalRegistry, { id: 'ApiKeyCreated' });

export const apiKeySchema = z
  .object({
    keyId: idSchema,
    name: z.string(),
    createdAt: isoTimeSchema,
    /** Precise to about a minute. */
    lastUsedAt: z.optional(isoTimeSchema),
  })
  .register(z.globalRegistry, { id: 'ApiKey' });

export const apiKeyListSchema = z
  .object({ items: z.array(apiKeySchema) })
  .register(z.globalRegistry, { id: 'ApiKeyList' });

export const merchantKeyPathSchema = z.object({ merchantId: idSchema, keyId: idSchema });
export const influencerKeyPathSchema = z.object({ influencerId: idSchema, keyId: idSchema });
