/** What merchants and influencers read of themselves with their API keys (CONTRACT §11). */
import { z } from 'zod';
import { ATTRIBUTION_MODELS } from '../domain/attribution-models';
import { commissionSchema, createLinkSchema, linkSchema } from './catalog';
import {
  currencySchema,
  idSchema,
  isoTimeSchema,
  minorSchema,
  periodSchema,
  requestDayOrTimeSchema,
} from './common';
import { orderPathSchema } from './orders';
import { payoutSchema } from './payouts';
import { putStorefrontSchema } from './storefronts';

export const programSchema = z
  .object({
    merchantId: idSchema,
    name: z.string(),
    allowedDomains: z.array(z.string()),
    currency: currencySchema,
    /** The rates in force for this influencer: its terms' commission, else the merchant's. */
    commission: commissionSchema,
  })
  .meta({ id: 'Program' });

export const meSchema = z
  .object({
    influencerId: idSchema,
    handle: z.string(),
    name: z.string(),
    payoutMinimumMinor: minorSchema,
    couponCodes: z.array(z.string()),
    programs: z.array(programSchema),
  })
  .meta({ id: 'Me' });

export const linkListSchema = z.object({ items: z.array(linkSchema) }).meta({ id: 'LinkList' });

/** An influencer's link request: the influencer is the key's owner, never the body's. */
export const createMyLinkSchema = createLinkSchema.omit({ influencerId: true }).meta({ id: 'CreateMyLink' });

/** An influencer's storefront: the influencer is the key's owner, never the body's. */
export const putMyStorefrontSchema = putStorefrontSchema
  .omit({ influencerId: true })
  .meta({ id: 'PutMyStorefront' });

const ledgerDay = requestDayOrTimeSchema(
  'Must be a day (YYYY-MM-DD) or an ISO 8601 time, which stands for its UTC day.',
).meta({ description: 'A UTC day, both ends included; without it the list is unbounded on that side.' });

/** Cursors are base64url; what they hold is checked when they come back (self-service/credits.ts). */
export const creditsQuerySchema = z.object({
  from: ledgerDay.optional(),
  to: ledgerDay.optional(),
  cursor: z
    .string()
    .max(2048)
    .regex(/^[A-Za-z0-9_-]+$/, 'Must be the nextCursor of a previous page.')
    .optional()
    .meta({ description: 'The `nextCursor` of the page before.' }),
});

export const CREDIT_METHODS_DESCRIPTION =
  'For a credit, the attribution method that credited the order (`last_click`, `first_click`, `linear`, ' +
  '`time_decay`, `position_based` or `coupon`); `clawback` for a negative adjustment of a paid credit after ' +
  "a refund (dated by the refund); `flat_fee` for a flat fee of the influencer's terms (dated by its `dueAt`; " +
  'its `orderId` is the fee id, also given as `feeId`).';

export const creditEntrySchema = z
  .object({
    merchantId: idSchema,
    /** The order's id; for a flat fee, the fee's id. */
    orderId: z.string(),
    feeId: z.string().optional().meta({ description: 'The fee id of a flat fee.' }),
    occurredAt: isoTimeSchema,
    currency: currencySchema,
    /** Negative for a clawback. */
    commissionMinor: z.int(),
    status: z.enum(['unpaid', 'paid', 'cancelled']).meta({
      description: '`cancelled`: a flat fee no longer owed (its enrollment ended or its terms dropped it).',
    }),
    method: z.enum([...ATTRIBUTION_MODELS, 'coupon', 'clawback', 'flat_fee']).meta({
      description: CREDIT_METHODS_DESCRIPTION,
    }),
  })
  .meta({ id: 'CreditEntry' });

export const creditListSchema = z
  .object({
    items: z.array(creditEntrySchema),
    nextCursor: z.string().optional().meta({ description: 'Absent on the last page.' }),
  })
  .meta({
    id: 'CreditList',
    description: `Newest first, at most 100 a page. ${CREDIT_METHODS_DESCRIPTION}`,
  });

export const myPayoutSchema = payoutSchema.extend({ period: periodSchema }).meta({ id: 'MyPayout' });
export const myPayoutListSchema = z.object({ items: z.array(myPayoutSchema) }).meta({ id: 'MyPayoutList' });

export const periodPathSchema = z.object({ period: periodSchema });
export const orderIdPathSchema = orderPathSchema.pick({ orderId: true });
