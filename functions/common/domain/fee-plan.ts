/**
 * What a new list of flat fees (CONTRACT §10) changes in the fees already stored for an enrollment.
 * Pure: the caller reads the stored fees, plans, and writes the plan in one transaction whose every
 * write is conditioned on the state read here, so a run that pays a fee meanwhile makes the caller
 * read and plan again.
 *
 * - A wanted fee that is not stored (or was cancelled) is created; one stored unpaid and different
 *   is updated; one stored and equal changes nothing.
 * - A stored unpaid fee that is not wanted is cancelled: it is no longer owed.
 * - A paid fee is history that cannot change. If it belongs to the enrollment (its terms list it),
 *   it must be wanted unchanged; a paid fee of an earlier enrollment of the same pair is left alone
 *   unless the list names its id again, and then it must be unchanged too. Otherwise the plan is a
 *   conflict naming the fees (`fee_paid`).
 */

export interface WantedFee {
  feeId: string;
  amountMinor: number;
  /** Canonical (formatInstant) time. */
  dueAt: string;
  memo?: string;
}

export type FeeStatus = 'unpaid' | 'paid' | 'cancelled';

export interface FeeState extends WantedFee {
  status: FeeStatus;
}

export type FeePlan =
  | { ok: true; create: WantedFee[]; update: WantedFee[]; cancel: FeeState[] }
  | { ok: false; paidFeeIds: string[] };

/**
 * At most this many fees per enrollment, so that replacing every fee (each old one cancelled, each
 * new one created) and the enrollment itself fit in one transaction of 100 items.
 */
export const MAX_FLAT_FEES = 49;

export const sameFee = (a: WantedFee, b: WantedFee) =>
  a.amountMinor === b.amountMinor && Date.parse(a.dueAt) === Date.parse(b.dueAt) && a.memo === b.memo;

export function planFees(
  stored: readonly FeeState[],
  wanted: readonly WantedFee[],
  /** The fee ids that the enrollment's current terms list (none for a new enrollment). */
  owned: ReadonlySet<string>,
): FeePlan {
  const byId = new Map(stored.map((fee) => [fee.feeId, fee]));
  const wantedIds = new Set(wanted.map((fee) => fee.feeId));
  const create: WantedFee[] = [];
  const update: WantedFee[] = [];
  const cancel: FeeState[] = [];
  const paidFeeIds: string[] = [];

  for (const fee of wanted) {
    const current = byId.get(fee.feeId);
    if (!current || current.status === 'cancelled') create.push(fee);
    else if (sameFee(current, fee)) continue;
    else if (current.status === 'paid') paidFeeIds.push(fee.feeId);
    else update.push(fee);
  }
  for (const current of stored) {
    if (wantedIds.has(current.feeId)) continue;
    if (current.status === 'unpaid') cancel.push(current);
    else if (current.status === 'paid' && owned.has(current.feeId)) paidFeeIds.push(current.feeId);
  }

  if (paidFeeIds.length > 0) return { ok: false, paidFeeIds: paidFeeIds.sort() };
  return { ok: true, create, update, cancel };
}
