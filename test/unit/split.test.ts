import fc from 'fast-check';

import { splitByWeight } from '../../functions/common/domain/split';

const MAX = Number.MAX_SAFE_INTEGER;

/** Weights with at least one positive entry, some zeros mixed in. */
const weightsArb = fc
  .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: MAX })), {
    minLength: 1,
    maxLength: 12,
  })
  .filter((weights) => weights.some((weight) => weight > 0));

const totalArb = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.integer({ min: -MAX, max: MAX }),
);

const sumBig = (values: readonly number[]) => values.reduce((sum, value) => sum + BigInt(value), 0n);

describe('splitByWeight', () => {
  it.each([
    { total: 100, weights: [1, 1, 1], parts: [34, 33, 33] },
    { total: 100, weights: [1, 1, 1, 0], parts: [34, 33, 33, 0] },
    { total: 0, weights: [1, 2], parts: [0, 0] },
    { total: 1, weights: [1, 1], parts: [1, 0] },
    { total: 1, weights: [1, 3], parts: [0, 1] },
    { total: 2, weights: [1, 1, 1], parts: [1, 1, 0] },
    { total: 10, weights: [3_334, 3_333, 3_333], parts: [4, 3, 3] },
    { total: 999, weights: [5_000, 5_000], parts: [500, 499] },
    { total: 5, weights: [0, 0, 7], parts: [0, 0, 5] },
    { total: 7, weights: [10_000], parts: [7] },
    { total: 10, weights: [1, 2, 3, 4], parts: [1, 2, 3, 4] },
    // 4.2857, 4.2857, 1.4286: the floors give 9, and the missing unit goes to the largest
    // remainder (.4286 > .2857), the smallest weight's.
    { total: 10, weights: [6, 6, 2, 0], parts: [4, 4, 2, 0] },
    // 0.4, 0.4, 0.2: the tie between the first two goes to the earlier index.
    { total: 1, weights: [2, 2, 1], parts: [1, 0, 0] },
    // Largest remainder, not earliest index: 0.9 beats 0.1.
    { total: 1, weights: [1, 9], parts: [0, 1] },
    { total: -100, weights: [1, 1, 1], parts: [-34, -33, -33] },
    { total: -1, weights: [1, 1], parts: [-1, 0] },
    { total: -5, weights: [0, 0, 7], parts: [0, 0, -5] },
    { total: MAX, weights: [1, 1], parts: [4_503_599_627_370_496, 4_503_599_627_370_495] },
    {
      total: MAX,
      weights: [MAX, MAX, MAX],
      parts: [3_002_399_751_580_331, 3_002_399_751_580_330, 3_002_399_751_580_330],
    },
    { total: -MAX, weights: [MAX, 1], parts: [-(MAX - 1), -1] },
  ])('splits $total by $weights into $parts', ({ total, weights, parts }) => {
    const result = splitByWeight(total, weights);
    expect(result).toEqual(parts);
    // No -0 sneaks out of a negative split (toEqual would not notice it).
    expect(result.every((part) => !Object.is(part, -0))).toBe(true);
  });

  it('keeps the exact proportion when a product is far beyond 2^53', () => {
    // (2^53 − 1) × 6 / 7 = 7 720 456 504 063 706 remainder 4/7, which beats the 3/7 of the first part;
    // a float computation of the shares cannot even represent these remainders.
    expect(splitByWeight(MAX, [1, 6])).toEqual([1_286_742_750_677_284, 7_720_456_504_063_707]);
    // Remainders 1 497/10 001 and 8 504/10 001: the small weight gets the missing unit.
    expect(splitByWeight(MAX, [10_000, 1])).toEqual([9_006_298_624_878_503, 900_629_862_488]);
  });

  it.each([
    { name: 'no weights', total: 10, weights: [] },
    { name: 'all-zero weights', total: 10, weights: [0, 0, 0] },
    { name: 'all-zero weights and a zero total', total: 0, weights: [0] },
    { name: 'a negative weight', total: 10, weights: [5, -1] },
    { name: 'a fractional weight', total: 10, weights: [0.5, 1] },
    { name: 'a NaN weight', total: 10, weights: [Number.NaN] },
    { name: 'an unsafe weight', total: 10, weights: [MAX + 1] },
    { name: 'a fractional total', total: 10.5, weights: [1] },
    { name: 'a NaN total', total: Number.NaN, weights: [1] },
    { name: 'an infinite total', total: Number.POSITIVE_INFINITY, weights: [1] },
    { name: 'an unsafe total', total: MAX + 1, weights: [1] },
  ])('throws a RangeError for $name', ({ total, weights }) => {
    expect(() => splitByWeight(total, weights)).toThrow(RangeError);
  });

  describe('properties', () => {
    it('parts are integers that sum exactly to the total', () => {
      fc.assert(
        fc.property(totalArb, weightsArb, (total, weights) => {
          const parts = splitByWeight(total, weights);
          expect(parts).toHaveLength(weights.length);
          expect(parts.every(Number.isSafeInteger)).toBe(true);
          expect(sumBig(parts)).toBe(BigInt(total));
        }),
      );
    });

    it('each part is its exact share rounded down or up (within 1 of it)', () => {
      fc.assert(
        fc.property(totalArb, weightsArb, (total, weights) => {
          const parts = splitByWeight(total, weights);
          const weightSum = sumBig(weights);
          parts.forEach((part, index) => {
            // |part − total × w / W| < 1  ⇔  |part × W − total × w| < W
            const exactTimesSum = BigInt(total) * BigInt(weights[index] ?? 0);
            const difference = BigInt(part) * weightSum - exactTimesSum;
            expect(difference < weightSum && difference > -weightSum).toBe(true);
          });
        }),
      );
    });

    it('rounds up exactly the largest remainders, ties to the earlier index (Hamilton)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: MAX }), weightsArb, (total, weights) => {
          const parts = splitByWeight(total, weights);
          const weightSum = sumBig(weights);
          const shares = weights.map((weight, index) => {
            const scaled = BigInt(total) * BigInt(weight);
            return {
              index,
              remainder: scaled % weightSum,
              roundedUp: BigInt(parts[index] ?? 0) > scaled / weightSum,
            };
          });
          for (const up of shares.filter((share) => share.roundedUp)) {
            for (const down of shares.filter((share) => !share.roundedUp)) {
              const upWins =
                up.remainder > down.remainder || (up.remainder === down.remainder && up.index < down.index);
              expect(upWins).toBe(true);
            }
          }
        }),
      );
    });

    it('zero weights get nothing and non-negative totals give non-negative parts', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: MAX }), weightsArb, (total, weights) => {
          const parts = splitByWeight(total, weights);
          parts.forEach((part, index) => {
            expect(part).toBeGreaterThanOrEqual(0);
            if (weights[index] === 0) expect(part).toBe(0);
          });
        }),
      );
    });

    it('is deterministic and does not depend on the scale of the weights', () => {
      fc.assert(
        fc.property(totalArb, weightsArb, fc.integer({ min: 1, max: 1_000 }), (total, weights, factor) => {
          const parts = splitByWeight(total, weights);
          expect(splitByWeight(total, weights)).toEqual(parts);
          const scaled = weights.map((weight) => weight * factor);
          fc.pre(scaled.every(Number.isSafeInteger));
          expect(splitByWeight(total, scaled)).toEqual(parts);
        }),
      );
    });

    it('splits a negative total as the mirror image of the positive one', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: MAX }), weightsArb, (total, weights) => {
          const positive = splitByWeight(total, weights);
          const negative = splitByWeight(-total, weights);
          expect(negative.map((part) => -part || 0)).toEqual(positive);
        }),
      );
    });

    it('does not mutate the weights', () => {
      fc.assert(
        fc.property(totalArb, weightsArb, (total, weights) => {
          const copy = [...weights];
          splitByWeight(total, weights);
          expect(weights).toEqual(copy);
        }),
      );
    });
  });
});
