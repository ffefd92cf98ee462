/**
 * A merchant's program (CONTRACT §10): the influencers enrolled with it, each on its own terms —
 * rates that replace the merchant's, and flat fees paid through the same payouts as commission.
 */
import { MAX_FLAT_FEES } from '../domain/fee-plan';
import { commissionSchema } from './catalog';
import { idSchema, isoTimeSchema, requestTimeSchema } from './common';
import * as z from './zod';

export const flatFeeSchema = z
  .strictObject({
    feeId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'Must be 1 to 64 letters, digits, "_" or "-".')),
    amountMinor: z.int().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER)),
    /** The fee is paid by the first payout run whose cut-off is after this time. */
    dueAt: requestTimeSchema,
    memo: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
  })
  .register(z.globalRegistry, { id: 'FlatFee' });
export type FlatFee = z.output<typeof flatFeeSchema>;

export const termsSchema = z
  .strictObject({
    /** Replaces the merchant's rates for this influencer (its categories first, then its default). */
    commission: z.optional(commissionSchema),
    /** At most MAX_FLAT_FEES, so that replacing them all is one transaction. */
    flatFees: z.optional(
      z.array(flatFeeSchema).check(
        z.maxLength(MAX_FLAT_FEES),
        z.superRefine((fees, ctx) => {
          const seen = new Set<string>();
          fees.forEach((fee, index) => {
            if (seen.has(fee.feeId)) {
              ctx.addIssue({ code: 'custom', path: [index, 'feeId'], message: 'Each feeId appears once.' });
            }
            seen.add(fee.feeId);
          });
        }),
      ),
    ),
  })
  .register(z.globalRegistry, { id: 'Terms' });
export type Terms = z.output<typeof termsSchema>;

export const putEnrollmentSchema = z
  .strictObject({ terms: z.optional(termsSchema) })
  .register(z.globalRegistry, { id: 'PutEnrollment' });
export type PutEnrollmentInput = z.output<typeof putEnrollmentSchema>;

export const enrollmentSchema = z
  .object({
    merchantId: idSchema,
    influencerId: idSchema,
    terms: termsSchema,
    enrolledAt: isoTimeSchema,
    updatedAt: isoTimeSchema,
  })
  .register(z.globalRegistry, { id: 'Enrollment' });

export const enrollmentListSchema = z
  .object({ items: z.array(enrollmentSchema) })
  .register(z.globalRegistry, { id: 'EnrollmentList' });

export const enrollmentPathSchema = z.object({ merchantId: idSchema, influencerId: idSchema });
