import fc from 'fast-check';

import {
  checkRunPeriod,
  comparePeriods,
  formatPeriod,
  isAdjustmentEligible,
  isCreditEligible,
  isPeriod,
  latestStartablePeriod,
  nextPeriod,
  type PayoutItem,
  parsePeriod,
  payoutStatus,
  periodCutoffMs,
  periodOfInstant,
  periodStartMs,
  previousPeriod,
  summarisePayouts,
} from '../../functions/common/domain/payout';

const DAY = 86_400_000;
const MAX = Number.MAX_SAFE_INTEGER;
const at = (iso: string) => Date.parse(iso);

describe('periods', () => {
  it.each([
    { period: '2026-11', start: '2026-11-01T00:00:00.000Z', cutoff: '2026-12-01T00:00:00.000Z' },
    { period: '2026-12', start: '2026-12-01T00:00:00.000Z', cutoff: '2027-01-01T00:00:00.000Z' },
    { period: '2026-01', start: '2026-01-01T00:00:00.000Z', cutoff: '2026-02-01T00:00:00.000Z' },
    { period: '2024-02', start: '2024-02-01T00:00:00.000Z', cutoff: '2024-03-01T00:00:00.000Z' },
    { period: '1970-01', start: '1970-01-01T00:00:00.000Z', cutoff: '1970-02-01T00:00:00.000Z' },
    // Date.UTC would read year 99 as 1999.
    { period: '0099-12', start: '0099-12-01T00:00:00.000Z', cutoff: '0100-01-01T00:00:00.000Z' },
    { period: '9999-12', start: '9999-12-01T00:00:00.000Z', cutoff: '+010000-01-01T00:00:00.000Z' },
  ])('$period runs from $start to the cut-off $cutoff', ({ period, start, cutoff }) => {
    expect(periodStartMs(period)).toBe(at(start));
    expect(periodCutoffMs(period)).toBe(at(cutoff));
    expect(periodOfInstant(periodStartMs(period))).toBe(period);
    expect(periodOfInstant(periodCutoffMs(period) - 1)).toBe(period);
  });

  it('the cut-off instant belongs to the next period', () => {
    expect(periodOfInstant(periodCutoffMs('2026-11'))).toBe('2026-12');
    expect(periodOfInstant(at('2026-11-30T23:59:59.999Z'))).toBe('2026-11');
  });

  it.each([
    '2026-13',
    '2026-00',
    '2026-1',
    '26-11',
    '2026/11',
    '',
    ' 2026-11',
    '2026-11 ',
    '2026-11\n',
    '2026-11-01',
    '+02026-11',
  ])('rejects %j', (period) => {
    expect(isPeriod(period)).toBe(false);
    expect(() => parsePeriod(period)).toThrow(RangeError);
    expect(() => periodCutoffMs(period)).toThrow(RangeError);
  });

  it.each([
    { period: '2026-11', previous: '2026-10', next: '2026-12' },
    { period: '2026-01', previous: '2025-12', next: '2026-02' },
    { period: '2026-12', previous: '2026-11', next: '2027-01' },
  ])('$period comes after $previous and before $next', ({ period, previous, next }) => {
    expect(previousPeriod(period)).toBe(previous);
    expect(nextPeriod(period)).toBe(next);
    expect(comparePeriods(previous, period)).toBeLessThan(0);
    expect(comparePeriods(next, period)).toBeGreaterThan(0);
    expect(comparePeriods(period, period)).toBe(0);
  });

  it('has no period before 0000-01 or after 9999-12', () => {
    expect(() => previousPeriod('0000-01')).toThrow(RangeError);
    expect(() => nextPeriod('9999-12')).toThrow(RangeError);
    expect(() => periodOfInstant(at('+010000-01-01T00:00:00.000Z'))).toThrow(RangeError);
    expect(() => periodOfInstant(Number.NaN)).toThrow(RangeError);
  });

  it('the schedule firing on the 1st runs the previous month', () => {
    expect(previousPeriod(periodOfInstant(at('2026-12-01T00:00:00.000Z')))).toBe('2026-11');
    expect(previousPeriod(periodOfInstant(at('2027-01-01T00:05:00.000Z')))).toBe('2026-12');
  });

  it('comparePeriods refuses what is not a period', () => {
    expect(() => comparePeriods('2026-11', 'latest')).toThrow(RangeError);
  });

  it('formatPeriod pads and validates', () => {
    expect(formatPeriod({ year: 7, month: 3 })).toBe('0007-03');
    expect(() => formatPeriod({ year: 2026, month: 13 })).toThrow(RangeError);
    expect(() => formatPeriod({ year: -1, month: 1 })).toThrow(RangeError);
  });

  describe('properties', () => {
    const periodArb = fc
      .record({ year: fc.integer({ min: 0, max: 9999 }), month: fc.integer({ min: 1, max: 12 }) })
      .map(formatPeriod);

    it('a period is the half-open interval [start, cut-off), and the cut-off is the next period’s start', () => {
      fc.assert(
        fc.property(periodArb, (period) => {
          expect(parsePeriod(period)).toEqual({
            year: Number(period.slice(0, 4)),
            month: Number(period.slice(5)),
          });
          expect(periodStartMs(period)).toBeLessThan(periodCutoffMs(period));
          if (period !== '9999-12') expect(periodCutoffMs(period)).toBe(periodStartMs(nextPeriod(period)));
          const days = (periodCutoffMs(period) - periodStartMs(period)) / DAY;
          expect([28, 29, 30, 31]).toContain(days);
        }),
      );
    });

    it('string order, comparePeriods and time order agree, and next/previous are inverses', () => {
      fc.assert(
        fc.property(periodArb, periodArb, (left, right) => {
          expect(Math.sign(comparePeriods(left, right))).toBe(
            Math.sign(periodStartMs(left) - periodStartMs(right)),
          );
          if (left !== '9999-12') expect(previousPeriod(nextPeriod(left))).toBe(left);
        }),
      );
    });
  });
});

describe('how far ahead a run may start (CONTRACT §5)', () => {
  it.each([
    { now: '2026-11-03T14:05:00.000Z', latest: '2026-12' },
    { now: '2026-12-31T23:59:59.999Z', latest: '2027-01' },
    { now: '2027-01-01T00:00:00.000Z', latest: '2027-02' },
  ])('at $now the latest startable period is $latest', ({ now, latest }) => {
    expect(latestStartablePeriod(at(now))).toBe(latest);
  });

  it.each([
    ['2026-11', true],
    ['2026-12', true],
    ['2020-01', true],
    ['2027-01', false],
    ['2062-11', false],
    ['9999-12', false],
  ])('on 2026-11-15, %s may start: %s', (period, ok) => {
    const check = checkRunPeriod(period, at('2026-11-15T12:00:00.000Z'));
    expect(check).toEqual(ok ? { ok: true } : { ok: false, latestAllowed: '2026-12' });
  });

  it('refuses what is not a period at all', () => {
    expect(() => checkRunPeriod('2026-13', Date.now())).toThrow(RangeError);
  });
});

describe('isCreditEligible', () => {
  const cutoff = periodCutoffMs('2026-11');
  it.each([
    { name: 'hold ends exactly at the cut-off', occurredAt: cutoff - 30 * DAY, holdDays: 30, eligible: true },
    {
      name: 'hold ends a millisecond after the cut-off',
      occurredAt: cutoff - 30 * DAY + 1,
      holdDays: 30,
      eligible: false,
    },
    { name: 'an older credit', occurredAt: at('2026-09-15T10:00:00.000Z'), holdDays: 30, eligible: true },
    {
      name: 'a credit of this period still on hold',
      occurredAt: at('2026-11-15T10:00:00.000Z'),
      holdDays: 30,
      eligible: false,
    },
    { name: 'no hold, at the cut-off', occurredAt: cutoff, holdDays: 0, eligible: true },
    { name: 'no hold, after the cut-off', occurredAt: cutoff + 1, holdDays: 0, eligible: false },
  ])('$name → $eligible', ({ occurredAt, holdDays, eligible }) => {
    expect(isCreditEligible(occurredAt, holdDays, cutoff)).toBe(eligible);
  });

  it.each([-1, 1.5, Number.NaN])('throws a RangeError for %s hold days', (holdDays) => {
    expect(() => isCreditEligible(0, holdDays, cutoff)).toThrow(RangeError);
  });
});

describe('isAdjustmentEligible', () => {
  const cutoff = periodCutoffMs('2026-11');
  it.each([
    { adjustedAt: cutoff - 1, eligible: true },
    { adjustedAt: at('2026-11-02T00:00:00.000Z'), eligible: true },
    { adjustedAt: cutoff, eligible: false },
    { adjustedAt: cutoff + DAY, eligible: false },
  ])('dated $adjustedAt → $eligible (no hold, strictly before the cut-off)', ({ adjustedAt, eligible }) => {
    expect(isAdjustmentEligible(adjustedAt, cutoff)).toBe(eligible);
  });
});

describe('payoutStatus', () => {
  it.each([
    { total: 1_000, minimum: 1_000, status: 'payable' },
    { total: 1_001, minimum: 1_000, status: 'payable' },
    { total: 999, minimum: 1_000, status: 'carried_over' },
    { total: 0, minimum: 1_000, status: 'carried_over' },
    { total: -500, minimum: 1_000, status: 'carried_over' },
    { total: 1, minimum: 0, status: 'payable' },
    { total: 0, minimum: 0, status: 'payable' },
    { total: -1, minimum: 0, status: 'carried_over' },
  ])('total $total with minimum $minimum → $status', ({ total, minimum, status }) => {
    expect(payoutStatus(total, minimum)).toBe(status);
  });

  it.each([-1, 0.5, Number.NaN])('throws a RangeError for a minimum of %s', (minimum) => {
    expect(() => payoutStatus(100, minimum)).toThrow(RangeError);
  });
});

describe('summarisePayouts', () => {
  const minimums = new Map([
    ['anna', 1_000],
    ['ben', 0],
    ['cleo', 5_000],
  ]);
  const item = (influencerId: string, amountMinor: number, currency = 'USD'): PayoutItem => ({
    influencerId,
    currency,
    amountMinor,
  });

  it.each([
    { name: 'nothing due', items: [], summaries: [] },
    {
      name: 'credits at the minimum are payable',
      items: [item('anna', 600), item('anna', 400)],
      summaries: [{ influencerId: 'anna', currency: 'USD', amountMinor: 1_000, items: 2, status: 'payable' }],
    },
    {
      name: 'a clawback nets against credits and can push the total under the minimum',
      items: [item('anna', 1_500), item('anna', -700)],
      summaries: [
        { influencerId: 'anna', currency: 'USD', amountMinor: 800, items: 2, status: 'carried_over' },
      ],
    },
    {
      name: 'a negative total is carried over, even with a minimum of 0',
      items: [item('ben', -300)],
      summaries: [
        { influencerId: 'ben', currency: 'USD', amountMinor: -300, items: 1, status: 'carried_over' },
      ],
    },
    {
      name: 'a credit and its clawback settle each other with a minimum of 0',
      items: [item('ben', 300), item('ben', -300)],
      summaries: [{ influencerId: 'ben', currency: 'USD', amountMinor: 0, items: 2, status: 'payable' }],
    },
    {
      name: 'currencies are never mixed, and each has its own status',
      items: [item('anna', 1_200, 'USD'), item('anna', 900, 'EUR'), item('anna', 50, 'USD')],
      summaries: [
        { influencerId: 'anna', currency: 'EUR', amountMinor: 900, items: 1, status: 'carried_over' },
        { influencerId: 'anna', currency: 'USD', amountMinor: 1_250, items: 2, status: 'payable' },
      ],
    },
    {
      name: 'influencers have their own minimums, sorted by influencer then currency',
      items: [item('cleo', 4_999), item('ben', 1), item('anna', 2_000)],
      summaries: [
        { influencerId: 'anna', currency: 'USD', amountMinor: 2_000, items: 1, status: 'payable' },
        { influencerId: 'ben', currency: 'USD', amountMinor: 1, items: 1, status: 'payable' },
        { influencerId: 'cleo', currency: 'USD', amountMinor: 4_999, items: 1, status: 'carried_over' },
      ],
    },
    {
      name: 'totals near 2^53 stay exact',
      items: [item('anna', MAX), item('anna', -1), item('anna', 1)],
      summaries: [{ influencerId: 'anna', currency: 'USD', amountMinor: MAX, items: 3, status: 'payable' }],
    },
  ])('$name', ({ items, summaries }) => {
    expect(summarisePayouts(items, minimums)).toEqual(summaries);
  });

  it.each([
    { name: 'an influencer without a minimum', items: [item('dev', 100)] },
    { name: 'a total beyond 2^53 − 1', items: [item('anna', MAX), item('anna', 1)] },
    { name: 'a negative total beyond −(2^53 − 1)', items: [item('anna', -MAX), item('anna', -1)] },
    { name: 'a fractional amount', items: [item('anna', 10.5)] },
    { name: 'an unsafe amount', items: [item('anna', MAX + 2)] },
  ])('throws a RangeError for $name', ({ items }) => {
    expect(() => summarisePayouts(items, minimums)).toThrow(RangeError);
  });

  describe('properties', () => {
    const itemsArb = fc.array(
      fc.record({
        influencerId: fc.constantFrom('anna', 'ben', 'cleo'),
        currency: fc.constantFrom('USD', 'EUR'),
        amountMinor: fc.oneof(fc.integer({ min: -5_000, max: 5_000 }), fc.integer({ min: -1e12, max: 1e12 })),
      }),
      { maxLength: 40 },
    );
    const minimumsArb = fc.tuple(fc.nat({ max: 3_000 }), fc.nat({ max: 3_000 }), fc.nat({ max: 3_000 })).map(
      ([anna, ben, cleo]) =>
        new Map([
          ['anna', anna],
          ['ben', ben],
          ['cleo', cleo],
        ]),
    );

    it('payable plus carried-over amounts equal the sum of the items, per influencer and currency', () => {
      fc.assert(
        fc.property(itemsArb, minimumsArb, (items, minimumByInfluencer) => {
          const summaries = summarisePayouts(items, minimumByInfluencer);
          const total = (values: readonly number[]) => values.reduce((sum, value) => sum + BigInt(value), 0n);
          const payable = total(summaries.filter((s) => s.status === 'payable').map((s) => s.amountMinor));
          const carried = total(
            summaries.filter((s) => s.status === 'carried_over').map((s) => s.amountMinor),
          );
          expect(payable + carried).toBe(total(items.map((each) => each.amountMinor)));
          expect(summaries.reduce((count, s) => count + s.items, 0)).toBe(items.length);
          for (const summary of summaries) {
            const own = items.filter(
              (each) => each.influencerId === summary.influencerId && each.currency === summary.currency,
            );
            expect(BigInt(summary.amountMinor)).toBe(total(own.map((each) => each.amountMinor)));
            expect(summary.items).toBe(own.length);
          }
        }),
      );
    });

    it('payable exactly when the total is at or above the minimum (and never negative)', () => {
      fc.assert(
        fc.property(itemsArb, minimumsArb, (items, minimumByInfluencer) => {
          for (const summary of summarisePayouts(items, minimumByInfluencer)) {
            const minimum = minimumByInfluencer.get(summary.influencerId) ?? Number.NaN;
            expect(summary.status === 'payable').toBe(summary.amountMinor >= minimum);
            if (summary.status === 'payable') expect(summary.amountMinor).toBeGreaterThanOrEqual(0);
          }
        }),
      );
    });

    it('does not depend on the order of the items, and lists each (influencer, currency) once', () => {
      fc.assert(
        fc.property(
          itemsArb.chain((items) =>
            fc.tuple(
              fc.constant(items),
              fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length }),
            ),
          ),
          minimumsArb,
          ([items, shuffled], minimumByInfluencer) => {
            const summaries = summarisePayouts(items, minimumByInfluencer);
            expect(summarisePayouts(shuffled, minimumByInfluencer)).toEqual(summaries);
            const keys = summaries.map((s) => `${s.influencerId}/${s.currency}`);
            expect(new Set(keys).size).toBe(keys.length);
          },
        ),
      );
    });
  });
});
