import { currencySchema, idSchema, isoTimeSchema, periodSchema, requestTimeSchema } from './common';
import * as z from './zod';

export const startRunSchema = z
  .strictObject({ period: periodSchema })
  .register(z.globalRegistry, { id: 'StartPayoutRun' });
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
  /** Present once the operator recorded that the money left (POST .../settlement). */
  settlement: z.optional(
    z
      .object({ reference: z.string(), settledAt: isoTimeSchema })
      .register(z.globalRegistry, { id: 'PayoutSettlement' }),
  ),
});

/**
 * A payout's id is `<period>#<influencerId>#<currency>` (`#` is `%23` in a path). A string of
 * another shape names no payout: the route answers 404 for it, as for an id that is not stored.
 */
export const payoutPathSchema = z.object({
  payoutId: z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])#[A-Za-z0-9_-]{3,64}#[A-Z]{3}$/)),
});

/**
 * Printable: no control, format, private-use or unassigned characters and no line or paragraph
 * separators, so a reference shows as one line on a page, in a CSV cell or in a bank's search box.
 */
const PRINTABLE = /^[^\p{C}\p{Zl}\p{Zp}]*$/u;

export const settlePayoutSchema = z
  .strictObject({
    /** The bank's or payment provider's reference of the transfer; trimmed. */
    reference: z
      .string()
      .check(
        z.trim(),
        z.minLength(1, 'Must not be empty.'),
        z.maxLength(200, 'Must be at most 200 characters.'),
        z.regex(PRINTABLE, 'Must be printable characters only (no control characters or line breaks).'),
      ),
    /** When the money left; default now. Not more than 5 minutes ahead, nor before the payout. */
    settledAt: z.optional(requestTimeSchema),
  })
  .register(z.globalRegistry, { id: 'SettlePayout' });

export const settledPayoutSchema = z
  .extend(payoutSchema, { period: periodSchema })
  .register(z.globalRegistry, { id: 'PeriodPayout' });

export const payoutRunSchema = z
  .object({
    period: periodSchema,
    status: z.enum(['running', 'complete']),
    payouts: z.array(payoutSchema),
  })
  .register(z.globalRegistry, { id: 'PayoutRun' });
