import fc from 'fast-check';

import {
  bpsForCategory,
  type CommissionRates,
  commissionAfterRefunds,
  type OrderLine,
  orderAmountMinor,
  orderCommissionMinor,
  type PricedLine,
  type RefundLine,
  remainingLines,
} from '../../functions/common/domain/commission';

const MAX = Number.MAX_SAFE_INTEGER;

/**
 * An independent reference: the exact numerator in BigInt, then half up by comparing twice the
 * remainder with the divisor (the module adds half the divisor instead).
 */
function referenceCommission(lines: readonly PricedLine[], rates: CommissionRates): bigint {
  let numerator = 0n;
  for (const line of lines) {
    const own =
      line.category !== undefined && rates.categoryBps && Object.hasOwn(rates.categoryBps, line.category);
    const bps =
      own && line.category !== undefined ? (rates.categoryBps?.[line.category] ?? 0) : rates.defaultBps;
    numerator += BigInt(line.quantity) * BigInt(line.unitPriceMinor) * BigInt(bps);
  }
  const quotient = numerator / 10_000n;
  return numerator % 10_000n >= 5_000n ? quotient + 1n : quotient;
}

const CATEGORIES = ['beauty', 'fashion', 'home', 'constructor'] as const;

const bpsArb = fc.integer({ min: 0, max: 10_000 });
const ratesArb: fc.Arbitrary<CommissionRates> = fc.record({
  defaultBps: bpsArb,
  categoryBps: fc.dictionary(fc.constantFrom('beauty', 'fashion', 'home'), bpsArb),
});
const lineArb = (maxQuantity: number, maxPrice: number): fc.Arbitrary<OrderLine> =>
  fc.record(
    {
      sku: fc.constantFrom('SKU-1', 'SKU-2', 'SKU-3'),
      quantity: fc.integer({ min: 1, max: maxQuantity }),
      unitPriceMinor: fc.integer({ min: 0, max: maxPrice }),
      category: fc.constantFrom(...CATEGORIES),
    },
    { requiredKeys: ['sku', 'quantity', 'unitPriceMinor'] },
  );
/** Small orders, and orders whose line products × bps go far beyond 2^53 while the amount stays safe. */
const linesArb = fc.oneof(
  fc.array(lineArb(10, 100_000), { minLength: 1, maxLength: 20 }),
  fc.array(lineArb(1_000, 9_000_000_000), { minLength: 1, maxLength: 3 }),
);
const refundsArb: fc.Arbitrary<RefundLine[][]> = fc.array(
  fc.array(
    fc.record({
      sku: fc.constantFrom('SKU-1', 'SKU-2', 'SKU-3', 'SKU-X'),
      quantity: fc.integer({ min: 1, max: 8 }),
    }),
    {
      maxLength: 4,
    },
  ),
  { maxLength: 4 },
);

const line = (quantity: number, unitPriceMinor: number, category?: string): PricedLine =>
  category === undefined ? { quantity, unitPriceMinor } : { quantity, unitPriceMinor, category };
const flat = (bps: number): CommissionRates => ({ defaultBps: bps });

describe('orderCommissionMinor', () => {
  it.each([
    {
      name: 'the contract example (2 × 25.00 at 10 %)',
      lines: [line(2, 2_500, 'beauty')],
      rates: flat(1_000),
      commission: 500,
    },
    {
      name: 'an exact half rounds up (0.5)',
      lines: [line(1, 1, undefined)],
      rates: flat(5_000),
      commission: 1,
    },
    {
      name: 'just under a half rounds down (0.4999)',
      lines: [line(1, 4_999, undefined)],
      rates: flat(1),
      commission: 0,
    },
    {
      name: 'just over a half rounds up (0.5001)',
      lines: [line(1, 5_001, undefined)],
      rates: flat(1),
      commission: 1,
    },
    { name: '1.5 rounds up to 2', lines: [line(3, 1, undefined)], rates: flat(5_000), commission: 2 },
    {
      name: '2.5 rounds up to 3 (half up, not half even)',
      lines: [line(5, 1, undefined)],
      rates: flat(5_000),
      commission: 3,
    },
    {
      name: '19.99 at 5 % = 0.9995 rounds up to 1',
      lines: [line(1, 1_999, undefined)],
      rates: flat(500),
      commission: 100,
    },
    {
      name: 'two half units add up before rounding (per line would give 2)',
      lines: [line(1, 1, undefined), line(1, 1, undefined)],
      rates: flat(5_000),
      commission: 1,
    },
    {
      name: 'three 0.4 units add up before rounding (per line would give 0)',
      lines: [line(1, 1, undefined), line(1, 1, undefined), line(1, 1, undefined)],
      rates: flat(4_000),
      commission: 1,
    },
    { name: 'no lines', lines: [], rates: flat(1_000), commission: 0 },
    { name: 'a free line', lines: [line(3, 0, undefined)], rates: flat(1_000), commission: 0 },
    { name: 'a zero rate', lines: [line(3, 999, undefined)], rates: flat(0), commission: 0 },
    { name: 'a 100 % rate', lines: [line(3, 999, undefined)], rates: flat(10_000), commission: 2_997 },
    {
      name: 'category rates, the default for other and missing categories',
      lines: [line(2, 2_500, 'beauty'), line(1, 10_000, 'garden'), line(1, 1_000, undefined)],
      rates: { defaultBps: 500, categoryBps: { beauty: 1_000 } },
      commission: 500 + 500 + 50,
    },
    {
      name: 'categories are matched exactly (case-sensitive)',
      lines: [line(1, 10_000, 'Beauty')],
      rates: { defaultBps: 500, categoryBps: { beauty: 1_000 } },
      commission: 500,
    },
    {
      name: 'a category named like an Object.prototype member uses the default',
      lines: [line(1, 10_000, 'constructor'), line(1, 10_000, 'toString'), line(1, 10_000, '__proto__')],
      rates: { defaultBps: 500, categoryBps: { beauty: 1_000 } },
      commission: 1_500,
    },
    {
      name: 'a merchant may really name a category "__proto__" (as JSON.parse makes it)',
      lines: [line(1, 10_000, '__proto__')],
      rates: { defaultBps: 500, categoryBps: JSON.parse('{"__proto__": 2000}') as Record<string, number> },
      commission: 2_000,
    },
    {
      name: 'line products × bps beyond 2^53 stay exact',
      lines: [line(1_000_000, 9_000_000_000, undefined)],
      rates: flat(7_777),
      commission: 6_999_300_000_000_000,
    },
    {
      name: 'the largest safe order at 100 %',
      lines: [line(1, MAX, undefined)],
      rates: flat(10_000),
      commission: MAX,
    },
    {
      name: 'the largest safe order at 33.33 % (0.3333 × (2^53 − 1), a remainder below half)',
      lines: [line(1, MAX, undefined)],
      rates: flat(3_333),
      commission: 3_002_099_511_605_172,
    },
  ])('$name → $commission', ({ lines, rates, commission }) => {
    expect(orderCommissionMinor(lines, rates)).toBe(commission);
    expect(BigInt(orderCommissionMinor(lines, rates))).toBe(referenceCommission(lines, rates));
  });

  it.each([
    { name: 'an order amount beyond 2^53 − 1', lines: [line(2, MAX, undefined)], rates: flat(0) },
    {
      name: 'lines that add up beyond 2^53 − 1',
      lines: [line(1, MAX, undefined), line(1, 1, undefined)],
      rates: flat(1),
    },
    { name: 'a negative quantity', lines: [line(-1, 100, undefined)], rates: flat(1) },
    { name: 'a fractional quantity', lines: [line(1.5, 100, undefined)], rates: flat(1) },
    { name: 'a fractional price', lines: [line(1, 19.99, undefined)], rates: flat(1) },
    { name: 'a NaN price', lines: [line(1, Number.NaN, undefined)], rates: flat(1) },
    { name: 'a negative price', lines: [line(1, -1, undefined)], rates: flat(1) },
    { name: 'a default rate above 10 000 bps', lines: [line(1, 1, undefined)], rates: flat(10_001) },
    { name: 'a negative default rate', lines: [line(1, 1, undefined)], rates: flat(-1) },
    {
      name: 'a fractional category rate',
      lines: [line(1, 1, 'beauty')],
      rates: { defaultBps: 1, categoryBps: { beauty: 2.5 } },
    },
  ])('throws a RangeError for $name', ({ lines, rates }) => {
    expect(() => orderCommissionMinor(lines, rates)).toThrow(RangeError);
  });

  describe('properties', () => {
    it('equals the exact BigInt reference and is always a safe integer (never a float)', () => {
      fc.assert(
        fc.property(linesArb, ratesArb, (lines, rates) => {
          const commission = orderCommissionMinor(lines, rates);
          expect(Number.isSafeInteger(commission)).toBe(true);
          expect(BigInt(commission)).toBe(referenceCommission(lines, rates));
        }),
      );
    });

    it('rounds an exact half up and 0.4999 down at every magnitude, also where floats cannot see it', () => {
      // At 9 999 bps (≡ −1 mod 10 000), an amount ending in 5 000 leaves exactly half a unit and one
      // ending in 5 001 leaves 0.4999; numerators reach 9 × 10^19, where a double is off by thousands.
      const blocksArb = fc.integer({ min: 0, max: Math.floor((MAX - 5_001) / 10_000) });
      fc.assert(
        fc.property(blocksArb, (blocks) => {
          const half = blocks * 10_000 + 5_000;
          const justUnder = blocks * 10_000 + 5_001;
          const exactHalf = BigInt(half) * 9_999n;
          const underHalf = BigInt(justUnder) * 9_999n;
          expect(exactHalf % 10_000n).toBe(5_000n);
          expect(underHalf % 10_000n).toBe(4_999n);
          expect(BigInt(orderCommissionMinor([line(1, half, undefined)], flat(9_999)))).toBe(
            exactHalf / 10_000n + 1n,
          );
          expect(BigInt(orderCommissionMinor([line(1, justUnder, undefined)], flat(9_999)))).toBe(
            underHalf / 10_000n,
          );
        }),
      );
    });

    it('is between 0 and the order amount', () => {
      fc.assert(
        fc.property(linesArb, ratesArb, (lines, rates) => {
          const commission = orderCommissionMinor(lines, rates);
          expect(commission).toBeGreaterThanOrEqual(0);
          expect(commission).toBeLessThanOrEqual(orderAmountMinor(lines));
        }),
      );
    });

    it('does not depend on the order of the lines', () => {
      fc.assert(
        fc.property(
          linesArb.chain((lines) =>
            fc.tuple(
              fc.constant(lines),
              fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length }),
            ),
          ),
          ratesArb,
          ([lines, shuffled], rates) => {
            expect(orderCommissionMinor(shuffled, rates)).toBe(orderCommissionMinor(lines, rates));
          },
        ),
      );
    });

    it('is within half a unit of the exact commission', () => {
      fc.assert(
        fc.property(linesArb, ratesArb, (lines, rates) => {
          let numerator = 0n;
          for (const { quantity, unitPriceMinor, category } of lines) {
            numerator += BigInt(quantity) * BigInt(unitPriceMinor) * BigInt(bpsForCategory(rates, category));
          }
          // |commission − numerator / 10 000| ≤ 1/2, with the half included only from below.
          const twiceError = 2n * (BigInt(orderCommissionMinor(lines, rates)) * 10_000n - numerator);
          expect(twiceError <= 10_000n && twiceError > -10_000n).toBe(true);
        }),
      );
    });
  });
});

describe('orderAmountMinor', () => {
  it.each([
    { lines: [], amount: 0 },
    { lines: [line(2, 2_500, 'beauty')], amount: 5_000 },
    { lines: [line(2, 2_500, undefined), line(3, 1, undefined)], amount: 5_003 },
    { lines: [line(1, MAX, undefined)], amount: MAX },
    { lines: [line(1, MAX - 1, undefined), line(1, 1, undefined)], amount: MAX },
  ])('$lines → $amount', ({ lines, amount }) => {
    expect(orderAmountMinor(lines)).toBe(amount);
  });

  it('throws a RangeError beyond 2^53 − 1 (a 400 for the caller)', () => {
    expect(() => orderAmountMinor([line(1, MAX, undefined), line(1, 1, undefined)])).toThrow(RangeError);
    expect(() => orderAmountMinor([line(3, 3_002_399_751_580_331, undefined)])).toThrow(RangeError);
  });
});

describe('bpsForCategory', () => {
  const rates: CommissionRates = { defaultBps: 500, categoryBps: { beauty: 1_000, books: 0 } };
  it.each([
    { category: 'beauty', bps: 1_000 },
    { category: 'books', bps: 0 },
    { category: 'garden', bps: 500 },
    { category: undefined, bps: 500 },
    { category: 'hasOwnProperty', bps: 500 },
  ])('$category → $bps', ({ category, bps }) => {
    expect(bpsForCategory(rates, category)).toBe(bps);
  });

  it('uses the default when the merchant set no category rates at all', () => {
    expect(bpsForCategory({ defaultBps: 250 }, 'beauty')).toBe(250);
  });
});

describe('remainingLines', () => {
  const order: OrderLine[] = [
    { sku: 'A', quantity: 2, unitPriceMinor: 1_000, category: 'beauty' },
    { sku: 'B', quantity: 1, unitPriceMinor: 500 },
    { sku: 'A', quantity: 3, unitPriceMinor: 900, category: 'beauty' },
  ];
  const quantities = (lines: readonly OrderLine[]) => lines.map((kept) => kept.quantity);

  it.each([
    { name: 'no refund', refunds: [], kept: [2, 1, 3], unmatched: [] },
    { name: 'an empty refund', refunds: [[]], kept: [2, 1, 3], unmatched: [] },
    {
      name: 'part of the first line',
      refunds: [[{ sku: 'A', quantity: 1 }]],
      kept: [1, 1, 3],
      unmatched: [],
    },
    {
      name: 'an sku on several lines is taken from the first line first',
      refunds: [[{ sku: 'A', quantity: 4 }]],
      kept: [0, 1, 1],
      unmatched: [],
    },
    {
      name: 'refund events add up',
      refunds: [
        [{ sku: 'A', quantity: 1 }],
        [
          { sku: 'A', quantity: 2 },
          { sku: 'B', quantity: 1 },
        ],
      ],
      kept: [0, 0, 2],
      unmatched: [],
    },
    {
      name: 'the same sku twice in one event adds up',
      refunds: [
        [
          { sku: 'A', quantity: 2 },
          { sku: 'A', quantity: 3 },
        ],
      ],
      kept: [0, 1, 0],
      unmatched: [],
    },
    {
      name: 'more than bought caps at zero and reports the excess',
      refunds: [[{ sku: 'A', quantity: 7 }], [{ sku: 'B', quantity: 1 }]],
      kept: [0, 0, 0],
      unmatched: [{ sku: 'A', quantity: 2 }],
    },
    {
      name: 'an sku the order never had changes nothing and is reported',
      refunds: [
        [
          { sku: 'Z', quantity: 1 },
          { sku: 'b', quantity: 1 },
        ],
      ],
      kept: [2, 1, 3],
      unmatched: [
        { sku: 'Z', quantity: 1 },
        { sku: 'b', quantity: 1 },
      ],
    },
    {
      name: 'an sku called "__proto__" is just another sku',
      refunds: [[{ sku: '__proto__', quantity: 1 }]],
      kept: [2, 1, 3],
      unmatched: [{ sku: '__proto__', quantity: 1 }],
    },
  ])('$name', ({ refunds, kept, unmatched }) => {
    const result = remainingLines(order, refunds);
    expect(quantities(result.lines)).toEqual(kept);
    expect(result.unmatched).toEqual(unmatched);
  });

  it('keeps every other field of a line, and the order of the lines', () => {
    const result = remainingLines(order, [[{ sku: 'A', quantity: 1 }]]);
    expect(result.lines).toEqual([
      { sku: 'A', quantity: 1, unitPriceMinor: 1_000, category: 'beauty' },
      { sku: 'B', quantity: 1, unitPriceMinor: 500 },
      { sku: 'A', quantity: 3, unitPriceMinor: 900, category: 'beauty' },
    ]);
    expect(order[0]?.quantity).toBe(2);
  });

  it('throws a RangeError for a negative or fractional returned quantity', () => {
    expect(() => remainingLines(order, [[{ sku: 'A', quantity: -1 }]])).toThrow(RangeError);
    expect(() => remainingLines(order, [[{ sku: 'A', quantity: 0.5 }]])).toThrow(RangeError);
  });

  describe('properties', () => {
    it('keeps max(0, bought − returned) per sku, never more than a line had', () => {
      fc.assert(
        fc.property(linesArb, refundsArb, (lines, refunds) => {
          const result = remainingLines(lines, refunds);
          expect(result.lines).toHaveLength(lines.length);
          const skus = new Set([...lines.map((each) => each.sku), ...refunds.flat().map((each) => each.sku)]);
          for (const sku of skus) {
            const bought = lines
              .filter((each) => each.sku === sku)
              .reduce((sum, each) => sum + each.quantity, 0);
            const returned = refunds
              .flat()
              .filter((each) => each.sku === sku)
              .reduce((sum, each) => sum + each.quantity, 0);
            const kept = result.lines
              .filter((each) => each.sku === sku)
              .reduce((sum, each) => sum + each.quantity, 0);
            const excess = result.unmatched.find((each) => each.sku === sku)?.quantity ?? 0;
            expect(kept).toBe(Math.max(0, bought - returned));
            expect(excess).toBe(Math.max(0, returned - bought));
          }
          result.lines.forEach((kept, index) => {
            expect(kept.quantity).toBeGreaterThanOrEqual(0);
            expect(kept.quantity).toBeLessThanOrEqual(lines[index]?.quantity ?? 0);
          });
        }),
      );
    });

    it('does not depend on the order in which refund events arrive', () => {
      fc.assert(
        fc.property(
          linesArb,
          refundsArb.chain((refunds) =>
            fc.tuple(
              fc.constant(refunds),
              fc.shuffledSubarray(refunds, { minLength: refunds.length, maxLength: refunds.length }),
            ),
          ),
          (lines, [refunds, shuffled]) => {
            expect(remainingLines(lines, shuffled).lines).toEqual(remainingLines(lines, refunds).lines);
          },
        ),
      );
    });
  });
});

describe('commissionAfterRefunds', () => {
  const rates: CommissionRates = { defaultBps: 500, categoryBps: { beauty: 1_000 } };
  const order: OrderLine[] = [
    { sku: 'A', quantity: 2, unitPriceMinor: 2_500, category: 'beauty' },
    { sku: 'B', quantity: 1, unitPriceMinor: 1_999 },
  ];

  it.each([
    { name: 'nothing returned', refunds: [], amount: 6_999, commission: 600 },
    // 2 500 × 10 % + 1 999 × 5 % = 250 + 99.95 → 350 (rounded once; not 600 − 250 = 350 by luck).
    {
      name: 'one of the beauty items returned',
      refunds: [[{ sku: 'A', quantity: 1 }]],
      amount: 4_499,
      commission: 350,
    },
    {
      name: 'the cheap line returned',
      refunds: [[{ sku: 'B', quantity: 1 }]],
      amount: 5_000,
      commission: 500,
    },
    {
      name: 'everything returned (a cancellation)',
      refunds: [
        [
          { sku: 'A', quantity: 2 },
          { sku: 'B', quantity: 1 },
        ],
      ],
      amount: 0,
      commission: 0,
    },
  ])('$name → amount $amount, commission $commission', ({ refunds, amount, commission }) => {
    const result = commissionAfterRefunds(order, refunds, rates);
    expect(result.amountMinor).toBe(amount);
    expect(result.commissionMinor).toBe(commission);
  });

  it('recomputes on the kept lines rather than subtracting a separately rounded refund', () => {
    // 0.6 + 0.6 = 1.2 → 1. Returning one line keeps 0.6 → 1; subtracting the returned line's own
    // rounded commission (round(0.6) = 1) would wrongly leave 0.
    const lines: OrderLine[] = [
      { sku: 'A', quantity: 1, unitPriceMinor: 6 },
      { sku: 'B', quantity: 1, unitPriceMinor: 6 },
    ];
    const rates1000: CommissionRates = { defaultBps: 1_000 };
    expect(orderCommissionMinor(lines, rates1000)).toBe(1);
    expect(commissionAfterRefunds(lines, [[{ sku: 'A', quantity: 1 }]], rates1000).commissionMinor).toBe(1);
  });

  it('a refund never increases the commission (property)', () => {
    fc.assert(
      fc.property(linesArb, refundsArb, ratesArb, (lines, refunds, rates) => {
        const after = commissionAfterRefunds(lines, refunds, rates);
        expect(after.commissionMinor).toBeLessThanOrEqual(orderCommissionMinor(lines, rates));
        expect(after.amountMinor).toBeLessThanOrEqual(orderAmountMinor(lines));
        expect(BigInt(after.commissionMinor)).toBe(referenceCommission(after.lines, rates));
      }),
    );
  });
});
