import { ULID_PATTERN } from '../domain/ids';
import { idSchema, isoTimeSchema } from './common';
import * as z from './zod';

export const redirectPathSchema = z.object({ code: z.string() });

export const clickPathSchema = z.object({
  clickId: z.string().check(z.regex(ULID_PATTERN, 'Must be a ULID.')),
});

export const clickViewSchema = z
  .object({
    clickId: z.string(),
    code: z.string(),
    influencerId: idSchema,
    merchantId: idSchema,
    visitorId: z.string(),
    occurredAt: isoTimeSchema,
    browser: z.optional(z.string()),
    os: z.optional(z.string()),
    device: z.string(),
    referrerHost: z.optional(z.string()),
    ipHash: z.string(),
    bot: z.boolean(),
    duplicate: z.boolean(),
    utm: z.optional(z.record(z.string(), z.string())),
  })
  .register(z.globalRegistry, { id: 'Click' });
