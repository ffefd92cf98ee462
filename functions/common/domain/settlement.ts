/**
 * Settling a payout (CONTRACT §12): the operator records that the money of a `payable` payout left,
 * with the bank's (or provider's) reference. A payout is settled once: the same reference again is
 * an unchanged success (a retry), another reference a conflict. Pure: the caller reads the payout,
 * asks `decideSettlement`, and writes only what it says, conditionally.
 */

/** How far a `settledAt` may lie ahead of this clock: the operator's clock may run a little fast. */
export const SETTLED_AT_SKEW_MS = 5 * 60_000;

export interface Settlement {
  reference: string;
  settledAt: string;
}

/** What the decision needs of a stored payout. */
export interface SettleablePayout {
  period: string;
  status: 'payable' | 'carried_over';
  /** `marking` while its items are still being marked paid: its total is not final yet. */
  state: 'marking' | 'done';
  /** When the payout was decided; absent on payouts decided before it was recorded. */
  createdAt?: string;
  settlement?: Settlement;
}

export type SettlementDecision =
  | { kind: 'settle'; settlement: Settlement }
  | { kind: 'unchanged' }
  | { kind: 'already_settled'; settlement: Settlement }
  | { kind: 'not_payable' }
  | { kind: 'not_final' }
  | { kind: 'settled_too_early'; earliest: string };

/** The first instant of a period (`YYYY-MM`), as a canonical ISO string. */
export const periodStart = (period: string) => `${period}-01T00:00:00.000Z`;

/**
 * The earliest `settledAt` a payout accepts: when it was decided, or for a payout decided before
 * that was recorded, the start of its period (money for a period is not paid before it begins).
 */
export const earliestSettledAt = (payout: SettleablePayout) => payout.createdAt ?? periodStart(payout.period);

/** Whether a requested `settledAt` is too far ahead of `nowMs` (beyond the clock allowance). */
export const isSettledAtInFuture = (settledAt: string, nowMs: number) =>
  Date.parse(settledAt) > nowMs + SETTLED_AT_SKEW_MS;

/**
 * What to do with a settlement request for a stored payout. `requested.settledAt` is the one the
 * caller gave (absent: `nowIso`); a payout settled already keeps its first settlement whatever the
 * request's time, so a retry with the same reference is `unchanged`.
 */
export function decideSettlement(
  payout: SettleablePayout,
  requested: { reference: string; settledAt?: string },
  nowIso: string,
): SettlementDecision {
  if (payout.status !== 'payable') return { kind: 'not_payable' };
  if (payout.settlement) {
    return payout.settlement.reference === requested.reference
      ? { kind: 'unchanged' }
      : { kind: 'already_settled', settlement: payout.settlement };
  }
  if (payout.state !== 'done') return { kind: 'not_final' };
  // Only a time the caller chose is held to the lower bound: the default is this clock's now, and a
  // clock a little behind the one that decided the payout must not refuse the operator.
  const earliest = earliestSettledAt(payout);
  if (requested.settledAt !== undefined && Date.parse(requested.settledAt) < Date.parse(earliest)) {
    return { kind: 'settled_too_early', earliest };
  }
  return {
    kind: 'settle',
    settlement: { reference: requested.reference, settledAt: requested.settledAt ?? nowIso },
  };
}
