import { z } from 'zod';
import { UNATTRIBUTED_REASONS } from '../domain/attribution';
import { ATTRIBUTION_MODELS } from '../domain/attribution-models';
import { currencySchema, idSchema, isoTimeSchema } from './common';

export const orderPathSchema = z.object({ merchantId: idSchema, orderId: z.string().min(1).max(128) });

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
        clickId: z.string().optional(),
        weightBps: z.int(),
        commissionMinor: z.int(),
        status: z.enum(['unpaid', 'paid']),
        method: z.enum([...ATTRIBUTION_MODELS, 'coupon']),
        clickAgeSeconds: z.int().optional(),
        clickIds: z.array(z.string()),
      }),
    ),
    unattributedReason: z.enum(UNATTRIBUTED_REASONS).optional(),
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
  .meta({ id: 'Order' });
