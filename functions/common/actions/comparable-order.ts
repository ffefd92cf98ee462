/** A stored order root as the model comparison sees it (domain/model-comparison.ts). */
import type { ComparableOrder } from '../domain/model-comparison';
import type { OrderRoot } from '../repos/orders';

/** The order as the comparison sees it; undefined for a root without the comparison's fields. */
export function comparableOrder(root: OrderRoot): ComparableOrder | undefined {
  const { currency, occurredAt, candidates, keptLines, rates, method } = root;
  if (root.status !== 'credited' || !currency || !occurredAt || !candidates || !keptLines || !rates)
    return undefined;
  const couponOwner = method === 'coupon' ? root.shares?.[0]?.influencerId : undefined;
  if (method === 'coupon' && !couponOwner) return undefined;
  return {
    currency,
    occurredAtMs: Date.parse(occurredAt),
    basis: couponOwner
      ? { kind: 'coupon', influencerId: couponOwner }
      : {
          kind: 'clicks',
          candidates: candidates.map((c) => ({
            clickId: c.clickId,
            influencerId: c.influencerId,
            occurredAtMs: Date.parse(c.occurredAt),
          })),
        },
    keptLines,
    rates,
    ownRates: new Map((root.candidateRates ?? []).map((r) => [r.influencerId, r.rates])),
  };
}
