/**
 * Order amounts and commission (CONTRACT §1 and §7), in integer minor units.
 *
 * Every product and sum runs on BigInt: `quantity × unitPriceMinor × bps` of a single line can be
 * far beyond 2^53 even when the order's amount and commission are not, and a float would silently
 * round it. Results are converted back to `number` only once they are known to be safe integers;
 * anything beyond Number.MAX_SAFE_INTEGER is a RangeError (the contract makes such totals a 400).
 */

/** Basis points in a whole: 10 000 bps = 100 %. */
export const BPS_PER_WHOLE = 10_000;

const BPS_PER_WHOLE_BIG = BigInt(BPS_PER_WHOLE);
/** Adding half the divisor before a floor division rounds half up (the numerators are never negative). */
const HALF_OF_WHOLE_BIG = BPS_PER_WHOLE_BIG / 2n;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

export interface PricedLine {
  readonly quantity: number;
  readonly unitPriceMinor: number;
  readonly category?: string | undefined;
}

export interface OrderLine extends PricedLine {
  readonly sku: string;
}

export interface CommissionRates {
  readonly defaultBps: number;
  readonly categoryBps?: Readonly<Record<string, number>> | undefined;
}

/** One returned line of an `order.refunded` event. */
export interface RefundLine {
  readonly sku: string;
  readonly quantity: number;
}

function assertNonNegativeSafeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${value}`);
  }
}

function assertBps(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > BPS_PER_WHOLE) {
    throw new RangeError(`${what} must be an integer from 0 to ${BPS_PER_WHOLE} bps, got ${value}`);
  }
}

function toSafeNumber(value: bigint, what: string): number {
  if (value > MAX_SAFE_BIG) {
    throw new RangeError(`${what} ${value} is beyond Number.MAX_SAFE_INTEGER`);
  }
  return Number(value);
}

/**
 * The rate of a line: `categoryBps[category]` when the merchant set one for that exact category
 * (case-sensitive), else `defaultBps`. Only the merchant's own keys count: `Object.hasOwn` keeps a
 * category called "constructor" or "__proto__" from reading Object.prototype.
 */
export function bpsForCategory(rates: CommissionRates, category: string | undefined): number {
  const categoryBps = rates.categoryBps;
  const bps =
    category !== undefined && categoryBps !== undefined && Object.hasOwn(categoryBps, category)
      ? categoryBps[category]
      : rates.defaultBps;
  if (bps === undefined) {
    throw new RangeError(`no rate for category ${category}`);
  }
  assertBps(bps, category === undefined ? 'defaultBps' : `rate of category ${category}`);
  return bps;
}

function lineAmountBig(line: PricedLine, index: number): bigint {
  assertNonNegativeSafeInteger(line.quantity, `lines.${index}.quantity`);
  assertNonNegativeSafeInteger(line.unitPriceMinor, `lines.${index}.unitPriceMinor`);
  return BigInt(line.quantity) * BigInt(line.unitPriceMinor);
}

/** Σ quantity × unitPriceMinor. RangeError when the total is beyond Number.MAX_SAFE_INTEGER. */
export function orderAmountMinor(lines: readonly PricedLine[]): number {
  let amount = 0n;
  lines.forEach((line, index) => {
    amount += lineAmountBig(line, index);
  });
  return toSafeNumber(amount, 'order amount');
}

/**
 * Commission of an order (CONTRACT §7): round half up of
 * Σ(quantity × unitPriceMinor × bps(category)) / 10 000, rounded once for the whole order, never per
 * line (per-line rounding drifts by up to half a unit per line).
 *
 * RangeError when the order amount is beyond Number.MAX_SAFE_INTEGER (the commission is then too,
 * or close to it: it is at most the amount, since a rate is at most 10 000 bps).
 */
export function orderCommissionMinor(lines: readonly PricedLine[], rates: CommissionRates): number {
  let amount = 0n;
  let commissionTimesWhole = 0n;
  lines.forEach((line, index) => {
    const lineAmount = lineAmountBig(line, index);
    amount += lineAmount;
    commissionTimesWhole += lineAmount * BigInt(bpsForCategory(rates, line.category));
  });
  toSafeNumber(amount, 'order amount');
  return toSafeNumber((commissionTimesWhole + HALF_OF_WHOLE_BIG) / BPS_PER_WHOLE_BIG, 'order commission');
}

export interface RemainingLines<L extends OrderLine> {
  /**
   * The order's lines, same length and order, each with the quantity still kept (0 when all of it
   * was returned). Lines are kept rather than dropped so that index i is always the order's line i.
   */
  readonly lines: L[];
  /**
   * Returned quantities that matched nothing the order still had, summed per sku in the order the
   * skus first appear in the refunds: an sku the order never had, or more than was bought. They
   * change nothing; they are reported so the caller can log the merchant's inconsistency.
   */
  readonly unmatched: RefundLine[];
}

/**
 * The lines an order still keeps after its refunds (CONTRACT §4: "a refund names the returned lines
 * (sku, quantity)").
 *
 * - The quantities returned for an sku add up over all refund events; that total is taken from the
 *   order's lines with that sku in line order (the first line first), each down to at least 0.
 * - Returning more than was bought caps at zero: what a merchant cannot take back was never
 *   credited, and a commission must not go below nothing. The excess is listed in `unmatched`.
 * - Only the total per sku matters, so the result is the same whatever order the refund events
 *   arrive in (they may arrive out of order, even before the order).
 */
export function remainingLines<L extends OrderLine>(
  lines: readonly L[],
  refunds: readonly (readonly RefundLine[])[],
): RemainingLines<L> {
  // A Map (not a plain object) so that an sku like "__proto__" is just another key.
  const returnedBySku = new Map<string, bigint>();
  refunds.forEach((refund, refundIndex) => {
    refund.forEach((returned, lineIndex) => {
      assertNonNegativeSafeInteger(returned.quantity, `refunds.${refundIndex}.${lineIndex}.quantity`);
      returnedBySku.set(returned.sku, (returnedBySku.get(returned.sku) ?? 0n) + BigInt(returned.quantity));
    });
  });

  const kept = lines.map((line, index) => {
    assertNonNegativeSafeInteger(line.quantity, `lines.${index}.quantity`);
    const stillToTake = returnedBySku.get(line.sku) ?? 0n;
    if (stillToTake === 0n) return line;
    const bought = BigInt(line.quantity);
    const taken = stillToTake < bought ? stillToTake : bought;
    returnedBySku.set(line.sku, stillToTake - taken);
    return { ...line, quantity: Number(bought - taken) };
  });

  const unmatched: RefundLine[] = [];
  for (const [sku, quantity] of returnedBySku) {
    if (quantity > 0n) {
      // Evidence only: an absurd excess is reported as the largest safe count rather than throwing.
      unmatched.push({ sku, quantity: Number(quantity < MAX_SAFE_BIG ? quantity : MAX_SAFE_BIG) });
    }
  }
  return { lines: kept, unmatched };
}

export interface OrderAfterRefunds<L extends OrderLine> extends RemainingLines<L> {
  readonly amountMinor: number;
  readonly commissionMinor: number;
}

/**
 * CONTRACT §7: "A refund recomputes the commission on the lines still kept": the kept lines, their
 * amount, and their commission rounded once as a whole (not the original commission minus a
 * rounded refund, which could differ by a unit).
 */
export function commissionAfterRefunds<L extends OrderLine>(
  lines: readonly L[],
  refunds: readonly (readonly RefundLine[])[],
  rates: CommissionRates,
): OrderAfterRefunds<L> {
  const remaining = remainingLines(lines, refunds);
  return {
    ...remaining,
    amountMinor: orderAmountMinor(remaining.lines),
    commissionMinor: orderCommissionMinor(remaining.lines, rates),
  };
}
