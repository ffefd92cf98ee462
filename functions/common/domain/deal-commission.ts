/**
 * An order's commission when each credited influencer may be on its own rates (CONTRACT §10).
 *
 * Influencer i's exact share is Σ over lines of quantity × unitPriceMinor × bps_i(category) / 10 000
 * × weightBps_i / 10 000. The order's commission is the sum of the exact shares, rounded half up
 * once; the parts are that rounded total divided in proportion to the exact shares by the
 * largest-remainder method, so they add up to it exactly. When every influencer has the same rates
 * the exact shares are proportional to the weights and this is §7 unchanged, unit for unit (the
 * proportion is the same, so the same remainders decide): a property test holds it to that.
 *
 * All arithmetic is BigInt: a single exact share's numerator (price × quantity × bps × weight) is
 * far beyond 2^53 long before the commission is.
 */
import { BPS_PER_WHOLE, bpsForCategory, type CommissionRates, type PricedLine } from './commission';
import { splitByBigWeights } from './split';

export interface RatedShare {
  readonly influencerId: string;
  /** The influencer's weight in the order, in bps; the weights of an order sum to 10 000. */
  readonly weightBps: number;
  /** The rates in force for this influencer when the order was first credited. */
  readonly rates: CommissionRates;
}

export interface SplitCommission {
  commissionMinor: number;
  /** Each share's part, in share order; they sum to `commissionMinor`. */
  parts: number[];
}

/** The merchant's rates, or the influencer's own terms over them (CONTRACT §10). */
export function ratesFor(merchant: CommissionRates, terms: CommissionRates | undefined): CommissionRates {
  // Terms always carry a `defaultBps`, so a category the terms do not name falls to the terms'
  // default before it could reach the merchant's category rates: the terms replace them whole.
  return terms ?? merchant;
}

const WHOLE = BigInt(BPS_PER_WHOLE);
/** Exact shares carry two factors of 10 000: the rate's and the weight's. */
const WHOLE_SQUARED = WHOLE * WHOLE;

/** The exact share of each influencer, times 10 000². */
function scaledExactShares(lines: readonly PricedLine[], shares: readonly RatedShare[]): bigint[] {
  return shares.map((share) => {
    let amountTimesBps = 0n;
    lines.forEach((line, index) => {
      if (!Number.isSafeInteger(line.quantity) || line.quantity < 0)
        throw new RangeError(`lines.${index}.quantity must be a non-negative safe integer`);
      if (!Number.isSafeInteger(line.unitPriceMinor) || line.unitPriceMinor < 0)
        throw new RangeError(`lines.${index}.unitPriceMinor must be a non-negative safe integer`);
      amountTimesBps +=
        BigInt(line.quantity) *
        BigInt(line.unitPriceMinor) *
        BigInt(bpsForCategory(share.rates, line.category));
    });
    if (!Number.isInteger(share.weightBps) || share.weightBps < 0 || share.weightBps > BPS_PER_WHOLE)
      throw new RangeError(`weight of ${share.influencerId} must be 0 to 10 000 bps, got ${share.weightBps}`);
    return amountTimesBps * BigInt(share.weightBps);
  });
}

export function splitRatedCommission(
  lines: readonly PricedLine[],
  shares: readonly RatedShare[],
): SplitCommission {
  if (shares.length === 0) return { commissionMinor: 0, parts: [] };
  const exact = scaledExactShares(lines, shares);
  const sum = exact.reduce((a, b) => a + b, 0n);
  const rounded = (sum + WHOLE_SQUARED / 2n) / WHOLE_SQUARED;
  if (rounded > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`order commission ${rounded} is beyond 2^53`);
  const commissionMinor = Number(rounded);
  // Nothing to share (every rate 0, or nothing kept): every part is 0, whatever the weights.
  if (sum === 0n) return { commissionMinor, parts: shares.map(() => 0) };
  return { commissionMinor, parts: splitByBigWeights(commissionMinor, exact) };
}
