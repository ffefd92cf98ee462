/**
 * One influencer's part of a payout run (CONTRACT §8, §10). Sums what is due at the cut-off per
 * currency (credits, clawbacks and flat fees alike), decides payable or carried over against the
 * influencer's minimum, and for a payable payout marks its items paid in bounded transactions, each
 * of which also adds them to the payout: a payout's total is always exactly what it marked, and an
 * item is marked by one payout only. A job that dies half way is simply run again: it resumes from
 * what is still unpaid.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { formatInstant } from '../common/domain/instant';
import { payoutStatus, periodCutoffMs } from '../common/domain/payout';
import { logger } from '../common/logger';
import { addItemMetric } from '../common/metrics';
import { BusinessMetric } from '../common/observability';
import type { InfluencerRepo } from '../common/repos/influencers';
import { type OrderRepo, type TransactItem, transact, type UnpaidItem } from '../common/repos/orders';
import { type PayoutRecord, type PayoutRepo, payoutIdOf } from '../common/repos/payouts';

export interface PayDependencies {
  payouts: PayoutRepo;
  orders: OrderRepo;
  influencers: InfluencerRepo;
  /** Items per index page and per transaction (at most 99: one slot per payout is kept). */
  pageSize?: number;
}

/** Payout minimum of an influencer that no longer exists: the contract's default. */
const DEFAULT_MINIMUM_MINOR = 1000;

export async function payInfluencer(
  deps: PayDependencies,
  period: string,
  influencerId: string,
): Promise<void> {
  // Only a recorded payee of the run is paid (the set is fixed once): a job for anyone else, or one
  // already done, changes nothing.
  const job = await deps.payouts.job(period, influencerId);
  if (job?.state !== 'pending') {
    if (!job)
      logger.warn('Payout job for an influencer who is not a payee of the run', { period, influencerId });
    return;
  }
  // Compared by the index with the items' `eligibleAt`, which comes from the same fixed-shape formatter.
  const cutoffIso = formatInstant(periodCutoffMs(period));
  const pageSize = Math.min(deps.pageSize ?? 90, 90);
  const minimum = (await deps.influencers.get(influencerId))?.payoutMinimumMinor ?? DEFAULT_MINIMUM_MINOR;

  // 1. What is due, per currency (memory: one total per currency, never the items).
  const totals = new Map<string, { amount: bigint; items: number }>();
  for await (const page of deps.orders.unpaidPages(influencerId, cutoffIso, pageSize)) {
    for (const item of page) {
      const total = totals.get(item.currency) ?? { amount: 0n, items: 0 };
      total.amount += BigInt(item.amountMinor);
      total.items += 1;
      totals.set(item.currency, total);
    }
  }

  // 2. Decide each currency's payout once (an overlapping or resumed job finds it decided).
  const existing = new Map((await deps.payouts.payouts(period, influencerId)).map((p) => [p.currency, p]));
  for (const [currency, total] of totals) {
    if (existing.has(currency)) continue;
    const amountMinor = Number(total.amount);
    const payout: PayoutRecord = {
      period,
      influencerId,
      currency,
      payoutId: payoutIdOf(period, influencerId, currency),
      status: payoutStatus(amountMinor, minimum),
      state: payoutStatus(amountMinor, minimum) === 'payable' ? 'marking' : 'done',
      amountMinor,
      items: total.items,
      markedMinor: 0,
      markedItems: 0,
    };
    await deps.payouts.createPayout(payout);
  }
  const decided = await deps.payouts.payouts(period, influencerId);
  const marking = new Map(decided.filter((p) => p.state === 'marking').map((p) => [p.currency, p]));

  // 3. Mark the items of payable payouts paid, a page at a time.
  if (marking.size > 0) {
    for await (const page of deps.orders.unpaidPages(influencerId, cutoffIso, pageSize)) {
      await markPage(deps, page, marking);
    }
    for (const payout of marking.values()) {
      await deps.payouts.finish(payout);
      // (An overlapping run of the same job may count a payout twice; the amounts below are exact.)
      addItemMetric(BusinessMetric.PayoutsMade, { dimensions: { currency: payout.currency } });
    }
  }

  // False when an overlapping job marked it done first: the run counts each job once.
  await transact(deps.payouts.jobDoneItems(period, influencerId));
  await deps.payouts.completeIfDone(period);
}

/** Marks the still-unpaid items of a page, with their payouts' progress, in one transaction. */
async function markPage(deps: PayDependencies, items: UnpaidItem[], marking: Map<string, PayoutRecord>) {
  const candidates = items.filter((item) => marking.has(item.currency));
  if (candidates.length === 0) return;
  for (let attempt = 0; attempt < 3; attempt++) {
    // The index lags the table: pay each item only if it is unpaid right now, at its current amount,
    // and still due when the index said (a fee whose due time moved is left to the run it is due in).
    const current = await deps.orders.current(candidates);
    const payable = candidates.flatMap((item) => {
      const now = current.get(`${item.pk}|${item.sk}`);
      return now?.status === 'unpaid' && now.eligibleAt === item.eligibleAt
        ? [{ ...item, amountMinor: now.amountMinor }]
        : [];
    });
    if (payable.length === 0) return;
    const writes: TransactItem[] = [];
    const byCurrency = new Map<string, { amount: number; items: number }>();
    for (const item of payable) {
      const payout = marking.get(item.currency);
      if (!payout) continue;
      writes.push(deps.orders.markPaid(item, payout.payoutId));
      const sum = byCurrency.get(item.currency) ?? { amount: 0, items: 0 };
      sum.amount += item.amountMinor;
      sum.items += 1;
      byCurrency.set(item.currency, sum);
    }
    for (const [currency, sum] of byCurrency) {
      const payout = marking.get(currency);
      if (payout) writes.push(deps.payouts.progress(payout, sum.amount, sum.items));
    }
    if (await transact(writes)) {
      // What this transaction paid: each item is marked paid by one transaction only.
      for (const [currency, sum] of byCurrency) {
        addItemMetric(BusinessMetric.PayoutAmountMinor, {
          dimensions: { currency },
          value: sum.amount,
          unit: MetricUnit.NoUnit,
        });
      }
      return;
    }
    // Something changed between the read and the write (a refund, an overlapping run): read again.
  }
  throw new Error('Payout items kept changing under the run; the job will be retried.');
}
