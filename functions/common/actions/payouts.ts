/**
 * A payout as the API shows it, the same to the operator (a run's payouts, a settlement) and to the
 * influencer (its own payouts): a payout still being marked shows what is marked so far.
 */
import type { PayoutRecord } from '../repos/payouts';

export const payoutView = (p: PayoutRecord) => ({
  payoutId: p.payoutId,
  influencerId: p.influencerId,
  currency: p.currency,
  amountMinor: p.state === 'done' ? p.amountMinor : p.markedMinor,
  items: p.state === 'done' ? p.items : p.markedItems,
  status: p.status,
  ...(p.settlement
    ? { settlement: { reference: p.settlement.reference, settledAt: p.settlement.settledAt } }
    : {}),
});

/** The payout with its period, where it stands alone (not inside its run). */
export const periodPayoutView = (p: PayoutRecord) => ({ period: p.period, ...payoutView(p) });
