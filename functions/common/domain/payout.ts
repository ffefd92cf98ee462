/**
 * Payout rules (CONTRACT §8): periods and their cut-off, which credits and adjustments a run takes,
 * and how the totals per influencer and currency become payable or carried over.
 *
 * Pure and clock-free: a run's result depends only on its data and its period, so nothing here
 * reads the current time; instants (and, for the one rule on which periods may start, "now") come
 * in as epoch milliseconds.
 */

const MS_PER_DAY = 86_400_000;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE_BIG = -MAX_SAFE_BIG;

/** `YYYY-MM`, a month of the UTC calendar (the same rule as the request schema's). */
const PERIOD_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

export interface PeriodParts {
  readonly year: number;
  /** 1 to 12. */
  readonly month: number;
}

export function isPeriod(value: string): boolean {
  return PERIOD_PATTERN.test(value);
}

/** RangeError unless `period` is `YYYY-MM` with a month from 01 to 12. */
export function parsePeriod(period: string): PeriodParts {
  const match = PERIOD_PATTERN.exec(period);
  if (match === null) {
    throw new RangeError(`period must be a month as YYYY-MM, got ${JSON.stringify(period)}`);
  }
  return { year: Number(match[1]), month: Number(match[2]) };
}

export function formatPeriod({ year, month }: PeriodParts): string {
  if (
    !Number.isInteger(year) ||
    year < 0 ||
    year > 9999 ||
    !Number.isInteger(month) ||
    month < 1 ||
    month > 12
  ) {
    throw new RangeError(`no YYYY-MM period for year ${year}, month ${month}`);
  }
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

/**
 * Epoch ms of the first instant of a UTC month; `monthIndex` may run past 11 into the next year.
 * Built with setUTCFullYear because Date.UTC reads years 0 to 99 as 1900 to 1999.
 */
function utcMonthStartMs(year: number, monthIndex: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, 1);
  return date.getTime();
}

/** The first instant of the period (inclusive). */
export function periodStartMs(period: string): number {
  const { year, month } = parsePeriod(period);
  return utcMonthStartMs(year, month - 1);
}

/** CONTRACT §8: the cut-off is the first instant of the next month (`2026-11` → 2026-12-01T00:00:00.000Z). */
export function periodCutoffMs(period: string): number {
  const { year, month } = parsePeriod(period);
  return utcMonthStartMs(year, month);
}

/** The period (UTC month) an instant falls in. */
export function periodOfInstant(instantMs: number): string {
  const date = new Date(instantMs);
  if (Number.isNaN(date.getTime())) {
    throw new RangeError(`not a valid instant: ${instantMs}`);
  }
  return formatPeriod({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 });
}

/** The month before: the schedule, firing on the 1st, runs `previousPeriod(periodOfInstant(firedAt))`. */
export function previousPeriod(period: string): string {
  const { year, month } = parsePeriod(period);
  return month === 1 ? formatPeriod({ year: year - 1, month: 12 }) : formatPeriod({ year, month: month - 1 });
}

export function nextPeriod(period: string): string {
  const { year, month } = parsePeriod(period);
  return month === 12 ? formatPeriod({ year: year + 1, month: 1 }) : formatPeriod({ year, month: month + 1 });
}

/**
 * Negative when `left` is the earlier period, 0 when equal, positive when later. Valid periods have
 * fixed-width fields, so comparing the strings compares the months; parsing first rejects anything
 * that is not a period rather than ordering it somewhere.
 */
export function comparePeriods(left: string, right: string): number {
  parsePeriod(left);
  parsePeriod(right);
  if (left === right) return 0;
  return left < right ? -1 : 1;
}

/**
 * CONTRACT §5: the latest period a run may be started for at `nowMs` is the month after the current
 * UTC month (a run before its month ends is allowed; §8). A mistyped year would otherwise pay every
 * credit still in its hold and, as the latest run, make every real period 409 for ever.
 */
export function latestStartablePeriod(nowMs: number): string {
  return nextPeriod(periodOfInstant(nowMs));
}

export type RunPeriodCheck = { readonly ok: true } | { readonly ok: false; readonly latestAllowed: string };

/** Whether a run of `period` may be started at `nowMs` (see `latestStartablePeriod`). */
export function checkRunPeriod(period: string, nowMs: number): RunPeriodCheck {
  const latestAllowed = latestStartablePeriod(nowMs);
  return comparePeriods(period, latestAllowed) > 0 ? { ok: false, latestAllowed } : { ok: true };
}

/**
 * CONTRACT §8: an unpaid credit is due when `occurredAt + holdDays` is at or before the cut-off
 * (a credit exactly `holdDays` before the cut-off is due). The hold lets refunds arrive before money
 * leaves.
 */
export function isCreditEligible(creditOccurredAtMs: number, holdDays: number, cutoffMs: number): boolean {
  if (!Number.isSafeInteger(holdDays) || holdDays < 0) {
    throw new RangeError(`holdDays must be a non-negative whole number of days, got ${holdDays}`);
  }
  return creditOccurredAtMs + holdDays * MS_PER_DAY <= cutoffMs;
}

/**
 * CONTRACT §8: an adjustment (a clawback, dated by its refund event's `occurredAt`) is due when it is
 * dated strictly before the cut-off, with no hold: the cut-off instant itself belongs to the next
 * month. Note the asymmetry with credits ("at or before"), which is the contract's wording.
 */
export function isAdjustmentEligible(adjustmentOccurredAtMs: number, cutoffMs: number): boolean {
  return adjustmentOccurredAtMs < cutoffMs;
}

export type PayoutStatus = 'payable' | 'carried_over';

/**
 * CONTRACT §8: a total at or above the influencer's minimum is payable; a smaller or negative one is
 * carried over. With a minimum of 0, a total of exactly 0 is payable (it is not smaller than the
 * minimum): the payout moves no money but marks its items paid, which settles a credit and its
 * clawback against each other instead of carrying them from run to run for ever. A negative total
 * is never payable, whatever the minimum.
 */
export function payoutStatus(totalMinor: number, minimumMinor: number): PayoutStatus {
  if (!Number.isSafeInteger(minimumMinor) || minimumMinor < 0) {
    throw new RangeError(`payout minimum must be a non-negative safe integer, got ${minimumMinor}`);
  }
  return totalMinor >= minimumMinor && totalMinor >= 0 ? 'payable' : 'carried_over';
}

/** A due credit (positive or zero) or adjustment (negative for a clawback). */
export interface PayoutItem {
  readonly influencerId: string;
  readonly currency: string;
  readonly amountMinor: number;
}

export interface PayoutSummary {
  readonly influencerId: string;
  readonly currency: string;
  /** Σ of the items' amounts, in minor units of `currency`. */
  readonly amountMinor: number;
  /** How many credits and adjustments the total covers. */
  readonly items: number;
  readonly status: PayoutStatus;
}

/**
 * Sums the due items per influencer and currency (currencies never mix) and decides each total's
 * status with the influencer's `payoutMinimumMinor`. Sorted by influencerId then currency (plain
 * code-unit order, independent of locale), so the same items always give the same list.
 *
 * RangeError when an influencer has no minimum in `minimumByInfluencer` (a default would hide a
 * missing influencer), when an amount is not a safe integer, or when a total leaves the safe range.
 */
export function summarisePayouts(
  items: readonly PayoutItem[],
  minimumByInfluencer: ReadonlyMap<string, number>,
): PayoutSummary[] {
  const groups = new Map<string, { influencerId: string; currency: string; total: bigint; items: number }>();
  items.forEach((item, index) => {
    if (!Number.isSafeInteger(item.amountMinor)) {
      throw new RangeError(`items.${index}.amountMinor must be a safe integer, got ${item.amountMinor}`);
    }
    // JSON of the pair cannot collide the way "a|b" + "c" could.
    const key = JSON.stringify([item.influencerId, item.currency]);
    const group = groups.get(key) ?? {
      influencerId: item.influencerId,
      currency: item.currency,
      total: 0n,
      items: 0,
    };
    group.total += BigInt(item.amountMinor);
    group.items += 1;
    groups.set(key, group);
  });

  const summaries: PayoutSummary[] = [];
  for (const group of groups.values()) {
    if (group.total > MAX_SAFE_BIG || group.total < MIN_SAFE_BIG) {
      throw new RangeError(
        `total of ${group.influencerId} in ${group.currency} is beyond the safe integer range`,
      );
    }
    const minimumMinor = minimumByInfluencer.get(group.influencerId);
    if (minimumMinor === undefined) {
      throw new RangeError(`no payout minimum for influencer ${group.influencerId}`);
    }
    const amountMinor = Number(group.total);
    summaries.push({
      influencerId: group.influencerId,
      currency: group.currency,
      amountMinor,
      items: group.items,
      status: payoutStatus(amountMinor, minimumMinor),
    });
  }
  return summaries.sort((left, right) => {
    if (left.influencerId !== right.influencerId) return left.influencerId < right.influencerId ? -1 : 1;
    if (left.currency !== right.currency) return left.currency < right.currency ? -1 : 1;
    return 0;
  });
}
