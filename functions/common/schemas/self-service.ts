/** What merchants and influencers read of themselves with their API keys (CONTRACT §11). */
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
import * as z from './zod';

export const programSchema = z
  .object({
    merchantId: idSchema,
    name: z.string(),
    allowedDomains: z.array(z.string()),
    currency: currencySchema,
    /** The rates in force for this influencer: its terms' commission, else the merchant's. */
    commission: commissionSchema,
  })
  .register(z.globalRegistry, { id: 'Program' });

export const meSchema = z
  .object({
    influencerId: idSchema,
    handle: z.string(),
    name: z.string(),
    payoutMinimumMinor: minorSchema,
    couponCodes: z.array(z.string()),
    programs: z.array(programSchema),
  })
  .register(z.globalRegistry, { id: 'Me' });

export const linkListSchema = z
  .object({ items: z.array(linkSchema) })
  .register(z.globalRegistry, { id: 'LinkList' });

/** An influencer's link request: the influencer is the key's owner, never the body's. */
export const createMyLinkSchema = z
  .omit(createLinkSchema, { influencerId: true })
  .register(z.globalRegistry, { id: 'CreateMyLink' });

/** An influencer's storefront: the influencer is the key's owner, never the body's. */
export const putMyStorefrontSchema = z
  .omit(putStorefrontSchema, { influencerId: true })
  .register(z.globalRegistry, { id: 'PutMyStorefront' });

const ledgerDay = requestDayOrTimeSchema(
  'Must be a day (YYYY-MM-DD) or an ISO 8601 time, which stands for its UTC day.',
).register(z.globalRegistry, {
  description: 'A UTC day, both ends included; without it the list is unbounded on that side.',
});

/** Cursors are base64url; what they hold is checked when they come back (self-service/credits.ts). */
export const creditsQuerySchema = z.object({
  from: z.optional(ledgerDay),
  to: z.optional(ledgerDay),
  cursor: z
    .optional(
      z
        .string()
        .check(z.maxLength(2048), z.regex(/^[A-Za-z0-9_-]+$/, 'Must be the nextCursor of a previous page.')),
    )
    .register(z.globalRegistry, { description: 'The `nextCursor` of the page before.' }),
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
    feeId: z.optional(z.string()).register(z.globalRegistry, { description: 'The fee id of a flat fee.' }),
    occurredAt: isoTimeSchema,
    currency: currencySchema,
    /** Negative for a clawback. */
    commissionMinor: z.int(),
    status: z.enum(['unpaid', 'paid', 'cancelled']).register(z.globalRegistry, {
      description: '`cancelled`: a flat fee no longer owed (its enrollment ended or its terms dropped it).',
    }),
    method: z.enum([...ATTRIBUTION_MODELS, 'coupon', 'clawback', 'flat_fee']).register(z.globalRegistry, {
      description: CREDIT_METHODS_DESCRIPTION,
    }),
  })
  .register(z.globalRegistry, { id: 'CreditEntry' });

export const creditListSchema = z
  .object({
    items: z.array(creditEntrySchema),
    nextCursor: z
      .optional(z.string())
      .register(z.globalRegistry, { description: 'Absent on the last page.' }),
  })
  .register(z.globalRegistry, {
    id: 'CreditList',
    description: `Newest first, at most 100 a page. ${CREDIT_METHODS_DESCRIPTION}`,
  });

export const myPayoutSchema = z
  .extend(payoutSchema, { period: periodSchema })
  .register(z.globalRegistry, { id: 'MyPayout' });
export const myPayoutListSchema = z
  .object({ items: z.array(myPayoutSchema) })
  .register(z.globalRegistry, { id: 'MyPayoutList' });

export const periodPathSchema = z.object({ period: periodSchema });
export const orderIdPathSchema = z.pick(orderPathSchema, { orderId: true });
