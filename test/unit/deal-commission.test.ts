/**
 * Per-influencer rates (CONTRACT §10): the parts always sum to the order's commission, each part is
 * its proportional share of it rounded by the largest-remainder method, and with equal rates the
 * result is §7's unit for unit.
 */
import fc from 'fast-check';
import {
  type CommissionRates,
  orderCommissionMinor,
  type PricedLine,
} from '../../functions/common/domain/commission';
import { ratesFor, splitRatedCommission } from '../../functions/common/domain/deal-commission';
import { planLedger } from '../../functions/common/domain/order-ledger';
import { splitByWeight } from '../../functions/common/domain/split';

const categories = ['beauty', 'shoes', 'home'];
const bpsArb = fc.integer({ min: 0, max: 10_000 });
const ratesArb: fc.Arbitrary<CommissionRates> = fc.record(
  {
    defaultBps: bpsArb,
    categoryBps: fc.dictionary(fc.constantFrom(...categories), bpsArb, { maxKeys: 3 }),
  },
  { requiredKeys: ['defaultBps'] },
);
const lineArb: fc.Arbitrary<PricedLine> = fc.record(
  {
    quantity: fc.integer({ min: 0, max: 1_000 }),
    unitPriceMinor: fc.oneof(
      fc.integer({ min: 0, max: 100_000 }),
      fc.integer({ min: 0, max: 9_000_000_000 }),
    ),
    category: fc.constantFrom(...categories),
  },
  { requiredKeys: ['quantity', 'unitPriceMinor'] },
);
const linesArb = fc.array(lineArb, { minLength: 1, maxLength: 8 });
/** 1 to 20 weights that sum to 10 000, as attribution produces them. */
const weightsArb = fc
  .array(fc.integer({ min: 1, max: 1_000 }), { minLength: 1, maxLength: 20 })
  .map((raw) => splitByWeight(10_000, raw));

const sharesWith = (weights: number[], rates: (i: number) => CommissionRates) =>
  weights.map((weightBps, i) => ({ influencerId: `inf-${i}`, weightBps, rates: rates(i) }));

describe('splitRatedCommission', () => {
  it('splits each influencer’s exact share at its own rate', () => {
    // 100.00 of beauty; A at 10 % with 50 %, B at 20 % with 50 %: exact 5.00 + 10.00.
    const lines = [{ quantity: 1, unitPriceMinor: 10_000, category: 'beauty' }];
    const result = splitRatedCommission(lines, [
      { influencerId: 'a', weightBps: 5_000, rates: { defaultBps: 1_000 } },
      { influencerId: 'b', weightBps: 5_000, rates: { defaultBps: 2_000 } },
    ]);
    expect(result).toEqual({ commissionMinor: 1_500, parts: [500, 1_000] });
  });

  it('rounds the sum once, half up, and gives the last unit by largest remainder', () => {
    // Exact shares 0.333… and 0.666… (sum 1.0): one unit, to the larger remainder.
    const lines = [{ quantity: 1, unitPriceMinor: 10 }];
    const result = splitRatedCommission(lines, [
      { influencerId: 'a', weightBps: 5_000, rates: { defaultBps: 666 } },
      { influencerId: 'b', weightBps: 5_000, rates: { defaultBps: 1_334 } },
    ]);
    expect(result).toEqual({ commissionMinor: 1, parts: [0, 1] });
  });

  it('answers zeros when every rate is 0', () => {
    const lines = [{ quantity: 3, unitPriceMinor: 999 }];
    expect(
      splitRatedCommission(
        lines,
        sharesWith([6_000, 4_000], () => ({ defaultBps: 0 })),
      ),
    ).toEqual({ commissionMinor: 0, parts: [0, 0] });
  });

  it('always sums the parts to the order commission, each within one unit of its proportional share', () => {
    fc.assert(
      fc.property(
        linesArb,
        weightsArb,
        fc.array(ratesArb, { minLength: 20, maxLength: 20 }),
        (lines, weights, rates) => {
          const shares = sharesWith(weights, (i) => rates[i] ?? { defaultBps: 0 });
          const { commissionMinor, parts } = splitRatedCommission(lines, shares);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(commissionMinor);
          expect(parts.every((p) => Number.isSafeInteger(p) && p >= 0)).toBe(true);
          // Against the exact shares: Σ parts is their sum rounded half up.
          const exact = shares.map((s) =>
            lines.reduce(
              (sum, l) =>
                sum +
                BigInt(l.quantity) *
                  BigInt(l.unitPriceMinor) *
                  BigInt(
                    l.category && s.rates.categoryBps?.[l.category] !== undefined
                      ? (s.rates.categoryBps[l.category] ?? 0)
                      : s.rates.defaultBps,
                  ) *
                  BigInt(s.weightBps),
              0n,
            ),
          );
          const total = exact.reduce((a, b) => a + b, 0n);
          expect(BigInt(commissionMinor)).toBe((total + 50_000_000n) / 100_000_000n);
          if (total > 0n) {
            parts.forEach((part, i) => {
              // |part − commission × exact_i / Σexact| < 1, in integers.
              const scaled = BigInt(part) * total - BigInt(commissionMinor) * (exact[i] ?? 0n);
              expect(scaled < total && scaled > -total).toBe(true);
            });
          }
        },
      ),
    );
  });

  it('with equal rates equals §7: one commission for the order, split by weight', () => {
    fc.assert(
      fc.property(linesArb, weightsArb, ratesArb, (lines, weights, rates) => {
        const result = splitRatedCommission(
          lines,
          sharesWith(weights, () => rates),
        );
        const commission = orderCommissionMinor(lines, rates);
        expect(result.commissionMinor).toBe(commission);
        expect(result.parts).toEqual(splitByWeight(commission, weights));
      }),
      { numRuns: 500 },
    );
  });
});

describe('ratesFor', () => {
  const merchant = { defaultBps: 500, categoryBps: { beauty: 1_000 } };
  it('is the merchant’s rates without terms', () => {
    expect(ratesFor(merchant, undefined)).toEqual(merchant);
  });
  it('is the terms’ rates, category first, then the terms’ default, never the merchant’s category', () => {
    const rates = ratesFor(merchant, { defaultBps: 700, categoryBps: { shoes: 1_500 } });
    expect(
      splitRatedCommission(
        [{ quantity: 1, unitPriceMinor: 10_000, category: 'beauty' }],
        [{ influencerId: 'a', weightBps: 10_000, rates }],
      ).commissionMinor,
    ).toBe(700);
    expect(
      splitRatedCommission(
        [{ quantity: 1, unitPriceMinor: 10_000, category: 'shoes' }],
        [{ influencerId: 'a', weightBps: 10_000, rates }],
      ).commissionMinor,
    ).toBe(1_500);
  });
});

describe('refunds under per-influencer rates (planLedger)', () => {
  const orderLinesArb = fc.array(
    fc.record({
      sku: fc.constantFrom('A', 'B', 'C'),
      quantity: fc.integer({ min: 1, max: 5 }),
      unitPriceMinor: fc.integer({ min: 0, max: 50_000 }),
      category: fc.constantFrom(...categories),
    }),
    { minLength: 1, maxLength: 5 },
  );
  const refundArb = fc.array(
    fc.record({ sku: fc.constantFrom('A', 'B', 'C', 'Z'), quantity: fc.integer({ min: 0, max: 6 }) }),
    { maxLength: 4 },
  );

  it('never owes a share below zero; a paid credit is corrected only by a clawback that brings it to what is owed', () => {
    fc.assert(
      fc.property(
        orderLinesArb,
        weightsArb,
        fc.array(ratesArb, { minLength: 20, maxLength: 20 }),
        fc.array(refundArb, { maxLength: 3 }),
        fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
        (lines, weights, rates, refunds, paid) => {
          const shares = sharesWith(weights, (i) => rates[i] ?? { defaultBps: 0 });
          const merchantRates = { defaultBps: 1_000 };
          const first = planLedger({
            lines,
            rates: merchantRates,
            shares,
            refunds: [],
            credits: [],
            adjustments: [],
          });
          const credits = first.owed.map((o, i) => ({
            ...o,
            status: paid[i] ? ('paid' as const) : ('unpaid' as const),
          }));
          const after = planLedger({
            lines,
            rates: merchantRates,
            shares,
            refunds: refunds.map((r, i) => ({
              eventId: `e${i}`,
              occurredAt: `2026-11-0${i + 1}T00:00:00.000Z`,
              lines: r,
            })),
            credits,
            adjustments: [],
            trigger: { eventId: 'e-last', occurredAt: '2026-11-09T00:00:00.000Z' },
          });
          expect(after.owed.every((o) => o.amountMinor >= 0)).toBe(true);
          expect(after.owed.reduce((a, o) => a + o.amountMinor, 0)).toBe(after.commissionMinor);
          expect(after.commissionMinor).toBeLessThanOrEqual(first.commissionMinor);
          for (const [i, owed] of after.owed.entries()) {
            const credit = credits[i];
            const clawback =
              after.newAdjustments.find((a) => a.influencerId === owed.influencerId)?.amountMinor ?? 0;
            const change = after.creditChanges.find((c) => c.influencerId === owed.influencerId);
            if (credit?.status === 'paid') {
              expect(change).toBeUndefined();
              // (A clawback is almost always negative; the largest remainder may move a unit either way.)
              expect(credit.amountMinor + clawback).toBe(owed.amountMinor);
            } else {
              expect(clawback).toBe(0);
              expect(change?.amountMinor ?? credit?.amountMinor).toBe(owed.amountMinor);
            }
          }
        },
      ),
    );
  });
});
