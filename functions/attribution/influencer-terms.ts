/**
 * The rates each credited influencer is on when its order is first credited (CONTRACT §10), at no
 * extra read in the usual case. What is known of an influencer's terms is kept in memory, and the
 * order's transaction checks it: a ConditionCheck that the enrollment still has no rates of its
 * own, or that it has not changed since its rates were read. A `PUT` of terms after that makes the
 * transaction fail; the worker then reads the enrollments again (one BatchGetItem) and retries, so
 * an order credited after a change of terms always carries the new terms, and one credited before
 * it the old ones.
 */
import type { CommissionRates } from '../common/domain/commission';
import type { Enrollment } from '../common/repos/enrollments';
import type { TransactItem } from '../common/repos/items';

export interface TermsReader {
  ofInfluencers(merchantId: string, influencerIds: readonly string[]): Promise<Map<string, Enrollment>>;
  /** The enrollment's key, for the transaction's check. */
  keyOf(merchantId: string, influencerId: string): Record<string, string>;
}

interface KnownRates {
  rates: CommissionRates;
  /** The enrollment's `updatedAt` when its rates were read. */
  updatedAt: string;
}

/** Enough for every pair a busy worker sees; the oldest entry goes first. */
const MAX_ENTRIES = 10_000;

export function influencerTerms(reader: TermsReader, tableName: string) {
  const known = new Map<string, KnownRates>();
  const keyOf = (merchantId: string, influencerId: string) => `${merchantId}#${influencerId}`;
  return {
    /** The influencer's own rates as last read (undefined: the merchant's), and the check that keeps it true. */
    ratesOf(merchantId: string, influencerId: string): { rates?: CommissionRates; check: TransactItem } {
      const entry = known.get(keyOf(merchantId, influencerId));
      const Key = reader.keyOf(merchantId, influencerId);
      if (!entry) {
        return {
          check: {
            ConditionCheck: {
              TableName: tableName,
              Key,
              // Not enrolled, or enrolled without rates of its own (a missing item passes too).
              ConditionExpression: 'attribute_not_exists(terms.commission)',
            },
          },
        };
      }
      return {
        rates: entry.rates,
        check: {
          ConditionCheck: {
            TableName: tableName,
            Key,
            ConditionExpression: 'updatedAt = :read',
            ExpressionAttributeValues: { ':read': entry.updatedAt },
          },
        },
      };
    },

    /** Reads these influencers' enrollments again (after a transaction refused what was known). */
    async refresh(merchantId: string, influencerIds: readonly string[]): Promise<void> {
      if (influencerIds.length === 0) return;
      const enrolled = await reader.ofInfluencers(merchantId, influencerIds);
      for (const influencerId of influencerIds) {
        const key = keyOf(merchantId, influencerId);
        known.delete(key);
        const enrollment = enrolled.get(influencerId);
        if (!enrollment?.terms.commission) continue;
        if (known.size >= MAX_ENTRIES) {
          const oldest = known.keys().next();
          if (!oldest.done) known.delete(oldest.value);
        }
        known.set(key, { rates: enrollment.terms.commission, updatedAt: enrollment.updatedAt });
      }
    },
  };
}
export type InfluencerTerms = ReturnType<typeof influencerTerms>;
