import { UNATTRIBUTED_REASONS } from '../domain/attribution';
import { ATTRIBUTION_MODELS } from '../domain/attribution-models';
import { currencySchema, idSchema, isoTimeSchema } from './common';
import * as z from './zod';

export const orderPathSchema = z.object({
  merchantId: idSchema,
  orderId: z.string().check(z.minLength(1), z.maxLength(128)),
});

export const orderViewSchema = z
  .object({
    merchantId: idSchema,
    orderId: z.string(),
    status: z.enum(['pending', 'credited', 'unattributed']),
    currency: currencySchema,
    occurredAt: isoTimeSchema,
    /** After refunds. */
    amountMinor: z.int(),
    commissionMinor: z.int(),
    attributions: z.array(
      z.object({
        influencerId: idSchema,
        clickId: z.optional(z.string()),
        weightBps: z.int(),
        commissionMinor: z.int(),
        status: z.enum(['unpaid', 'paid']),
        method: z.enum([...ATTRIBUTION_MODELS, 'coupon']),
        clickAgeSeconds: z.optional(z.int()),
        clickIds: z.array(z.string()),
      }),
    ),
    unattributedReason: z.optional(z.enum(UNATTRIBUTED_REASONS)),
    refunds: z.array(
      z.object({ type: z.enum(['order.refunded', 'order.cancelled']), occurredAt: isoTimeSchema }),
    ),
    adjustments: z.array(
      z.object({
        influencerId: idSchema,
        amountMinor: z.int(),
        occurredAt: isoTimeSchema,
        status: z.enum(['unpaid', 'paid']),
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'Order' });
