import { z } from 'zod';
import { ULID_PATTERN } from '../domain/ids';
import { idSchema, isoTimeSchema } from './common';

export const redirectPathSchema = z.object({ code: z.string() });

export const clickPathSchema = z.object({ clickId: z.string().regex(ULID_PATTERN, 'Must be a ULID.') });

export const clickViewSchema = z
  .object({
    clickId: z.string(),
    code: z.string(),
    influencerId: idSchema,
    merchantId: idSchema,
    visitorId: z.string(),
    occurredAt: isoTimeSchema,
    browser: z.string().optional(),
    os: z.string().optional(),
    device: z.string(),
    referrerHost: z.string().optional(),
    ipHash: z.string(),
    bot: z.boolean(),
    duplicate: z.boolean(),
    utm: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: 'Click' });
