/**
 * Splitting an integer amount of minor units by integer weights (CONTRACT §7: "largest-remainder
 * method: the parts always add up to the order commission exactly").
 *
 * Pure and exact: all products and sums run on BigInt, so `total × weight` never loses precision
 * even when it is far beyond 2^53.
 */

/**
 * Splits `totalMinor` into integer parts proportional to `weights` with the largest-remainder
 * (Hamilton) method:
 * 1. every part first gets the floor of its exact share `total × weight / Σweights`;
 * 2. the units still missing (fewer than the number of weights) go one each to the parts with the
 *    largest remainders; equal remainders go to the earlier index, so the result is deterministic.
 *
 * Guarantees: the parts sum to `totalMinor` exactly; each part is its exact share rounded down or up
 * (so within 1 of it); a zero weight gets 0.
 *
 * Decisions where the contract is silent:
 * - Negative totals (clawbacks) are split symmetrically: `split(-t, w)` is `-split(t, w)` part by
 *   part, so a reversal takes back exactly what the original split gave, unit for unit.
 * - Weights that are all zero (or no weights at all) throw a RangeError: there is no proportion to
 *   follow, and sending money to an arbitrary first party would hide a caller's bug.
 * - Weights must be non-negative safe integers (basis points, or any integer scale).
 */
export function splitByWeight(totalMinor: number, weights: readonly number[]): number[] {
  return splitByBigWeights(
    totalMinor,
    weights.map((weight, index) => {
      if (!Number.isSafeInteger(weight) || weight < 0) {
        throw new RangeError(
          `splitByWeight: weight ${index} must be a non-negative safe integer, got ${weight}`,
        );
      }
      return BigInt(weight);
    }),
  );
}

/**
 * `splitByWeight` with weights of any size: the exact shares of an order's commission under
 * per-influencer rates (CONTRACT §10) are products far beyond 2^53.
 */
export function splitByBigWeights(totalMinor: number, bigWeights: readonly bigint[]): number[] {
  if (!Number.isSafeInteger(totalMinor)) {
    throw new RangeError(`splitByWeight: total must be a safe integer, got ${totalMinor}`);
  }
  if (bigWeights.length === 0) {
    throw new RangeError('splitByWeight: at least one weight is needed');
  }
  let weightSum = 0n;
  bigWeights.forEach((weight, index) => {
    if (weight < 0n)
      throw new RangeError(`splitByWeight: weight ${index} must not be negative, got ${weight}`);
    weightSum += weight;
  });
  if (weightSum === 0n) {
    throw new RangeError('splitByWeight: the weights are all zero, so there is no proportion to split by');
  }

  // Work on the magnitude and put the sign back at the end: that is what makes negative totals
  // the exact mirror image of positive ones (BigInt division truncates toward zero, which would
  // otherwise round negative shares the other way).
  const sign = totalMinor < 0 ? -1n : 1n;
  const magnitude = BigInt(totalMinor) * sign;

  const parts: bigint[] = [];
  const remainders: bigint[] = [];
  let allocated = 0n;
  for (const weight of bigWeights) {
    const scaled = magnitude * weight;
    const floorShare = scaled / weightSum;
    parts.push(floorShare);
    remainders.push(scaled % weightSum);
    allocated += floorShare;
  }

  // Indexes by remainder, largest first; ties keep the earlier index first. Array.prototype.sort is
  // stable, but the explicit index comparison makes the tie-break independent of that.
  const order = remainders.map((_, index) => index);
  order.sort((left, right) => {
    const leftRemainder = remainders[left] ?? 0n;
    const rightRemainder = remainders[right] ?? 0n;
    if (leftRemainder !== rightRemainder) return leftRemainder > rightRemainder ? -1 : 1;
    return left - right;
  });

  // The leftover is Σremainders / Σweights, which is less than the number of non-zero remainders,
  // so these units never reach a zero weight (whose remainder is 0).
  let leftover = magnitude - allocated;
  for (const index of order) {
    if (leftover === 0n) break;
    parts[index] = (parts[index] ?? 0n) + 1n;
    leftover -= 1n;
  }

  // Each part is at most |total|, which is a safe integer, so Number() is exact here (and BigInt
  // has no -0, so a zero part of a negative total is a plain 0).
  return parts.map((part) => Number(part * sign));
}
