import { z } from 'zod';
import { currencySchema, idSchema, periodSchema } from './common';

export const startRunSchema = z.strictObject({ period: periodSchema }).meta({ id: 'StartPayoutRun' });
export const payoutsQuerySchema = z.object({ period: periodSchema });
export const statementPathSchema = z.object({ influencerId: idSchema, period: periodSchema });

export const payoutSchema = z.object({
  /** Stable for the period, influencer and currency: a re-run answers the same id. */
  payoutId: z.string(),
  influencerId: idSchema,
  currency: currencySchema,
  amountMinor: z.int(),
  items: z.int(),
  status: z.enum(['payable', 'carried_over']),
});

export const payoutRunSchema = z
  .object({
    period: periodSchema,
    status: z.enum(['running', 'complete']),
    payouts: z.array(payoutSchema),
  })
  .meta({ id: 'PayoutRun' });
