/**
 * Report maths (rates in basis points, integer money, divisions by zero), day ranges, assembly of
 * the two reports from counter items, and their CSV exports.
 */
import fc from 'fast-check';
import { sketchElement } from '../../functions/common/domain/hyperloglog';
import {
  BPS,
  buildInfluencerReport,
  buildMerchantReport,
  type CounterRow,
  conversionRateBps,
  divideRounded,
  epcMinor,
  returnOnSpendBps,
  returnOnSpendDecimal,
} from '../../functions/common/domain/report';
import {
  type CounterValues,
  dayRangeBounds,
  type MoneyTotals,
  valuesOfItem,
} from '../../functions/common/domain/report-counters';
import { csvCell, influencerReportCsv, merchantReportCsv } from '../../functions/common/domain/report-csv';
import { type DayRange, parseDayRange, toDay } from '../../functions/common/domain/report-range';

describe('divideRounded: one integer division, halves away from zero', () => {
  test.each([
    [7, 2, 4],
    [5, 2, 3],
    [4, 3, 1],
    [5, 3, 2],
    [-7, 2, -4],
    [-5, 3, -2],
    [0, 9, 0],
    [1, 3, 0],
    [2, 3, 1],
  ])('%i / %i = %i', (n, d, q) => {
    expect(divideRounded(n, d)).toBe(q);
  });

  test('is exact beyond 2^53 in the intermediate product', () => {
    const big = Number.MAX_SAFE_INTEGER;
    expect(divideRounded(big, 1)).toBe(big);
    // commission × 10 000 overflows doubles; BigInt keeps it exact.
    expect(conversionRateBps(big, big)).toBe(BPS);
    expect(returnOnSpendBps(big, big)).toBe(BPS);
  });

  test('refuses a zero denominator and non-integers', () => {
    expect(() => divideRounded(1, 0)).toThrow(RangeError);
    expect(() => divideRounded(1.5, 2)).toThrow(RangeError);
  });

  test('is within half a unit of the exact quotient (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.integer({ min: 1, max: 1e6 }),
        (n, d) => Math.abs(divideRounded(n, d) - n / d) <= 0.5,
      ),
    );
  });
});

describe('rates', () => {
  test.each([
    // orders, clicks, bps
    [0, 0, 0],
    [5, 0, 0],
    [0, 100, 0],
    [1, 3, 3333],
    [2, 3, 6667],
    [1, 8, 1250],
    [1, 20_000, 1], // 0.5 bps rounds up
    [1, 20_001, 0],
    [3, 3, 10_000],
    [7, 3, 10_000], // coupon orders can outnumber clicks: capped to the contract's range
  ])('conversion: %i orders / %i clicks = %i bps', (orders, clicks, bps) => {
    expect(conversionRateBps(orders, clicks)).toBe(bps);
  });

  test.each([
    // commission, clicks, epc
    [0, 0, 0],
    [999, 0, 0],
    [1000, 3, 333],
    [1000, 6, 167],
    [5, 2, 3],
    [-5, 2, -3], // clawbacks beyond the credits: rounds like its mirror
  ])('EPC: %i minor over %i clicks = %i minor per click', (commission, clicks, epc) => {
    expect(epcMinor(commission, clicks)).toBe(epc);
  });

  test.each([
    // revenue, spend, bps, decimal: floored, never rounded up
    [10_000, 1_000, 100_000, '10.00'],
    [12_345, 1_000, 123_450, '12.34'],
    [1, 3, 3333, '0.33'],
    [2, 3, 6666, '0.66'],
    [0, 500, 0, '0.00'],
    [5_000, 0, null, null],
    [0, 0, null, null],
    [-1, 3, -3334, '-0.34'], // floor, toward minus infinity
  ])('return on spend: %i / %i = %p bps (%p)', (revenue, spend, bps, decimal) => {
    expect(returnOnSpendBps(revenue, spend)).toBe(bps);
    expect(returnOnSpendDecimal(revenue, spend)).toBe(decimal);
  });

  test('return on spend is the floor of the exact ratio (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.integer({ min: 1, max: 1e12 }),
        (revenue, spend) => {
          const bps = returnOnSpendBps(revenue, spend);
          const exact = (BigInt(revenue) * 10_000n) / BigInt(spend);
          // Truncation and floor differ only for negative inexact ratios.
          const floor =
            exact * BigInt(spend) === BigInt(revenue) * 10_000n || revenue >= 0 ? exact : exact - 1n;
          return bps === Number(floor);
        },
      ),
    );
  });

  test('rates are integers in range for any counts (property)', () => {
    fc.assert(
      fc.property(fc.nat(1e9), fc.nat(1e9), fc.integer({ min: -1e9, max: 1e12 }), (orders, clicks, money) => {
        const bps = conversionRateBps(orders, clicks);
        const epc = epcMinor(money, clicks);
        return Number.isInteger(bps) && bps >= 0 && bps <= BPS && Number.isInteger(epc);
      }),
    );
  });
});

describe('day ranges', () => {
  const today = new Date('2026-11-25T13:00:00.000Z');
  const ok = (input: { from?: string; to?: string }): DayRange => {
    const result = parseDayRange(input, today);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return result.range;
  };

  test('days are taken as given, both ends included', () => {
    expect(ok({ from: '2026-11-01', to: '2026-11-30' })).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
      days: 30,
    });
    expect(ok({ from: '2026-11-03', to: '2026-11-03' }).days).toBe(1);
  });

  test('ISO times stand for their UTC day', () => {
    expect(ok({ from: '2026-11-03T14:05:00.000Z', to: '2026-11-04T23:59:59.999Z' })).toMatchObject({
      from: '2026-11-03',
      to: '2026-11-04',
    });
    expect(toDay('2026-11-03T23:30:00-02:00')).toBe('2026-11-04');
  });

  test('defaults: up to today, 30 days', () => {
    expect(ok({})).toEqual({ from: '2026-10-27', to: '2026-11-25', days: 30 });
    expect(ok({ to: '2026-03-01' })).toMatchObject({ from: '2026-01-31', days: 30 });
  });

  test('400 days are allowed, 401 are not', () => {
    expect(ok({ from: '2025-10-22', to: '2026-11-25' }).days).toBe(400);
    const over = parseDayRange({ from: '2025-10-21', to: '2026-11-25' }, today);
    expect(over).toEqual({ ok: false, issues: [expect.objectContaining({ path: 'to' })] });
  });

  test('a reversed range is refused', () => {
    expect(parseDayRange({ from: '2026-11-02', to: '2026-11-01' }, today)).toEqual({
      ok: false,
      issues: [expect.objectContaining({ path: 'from', message: expect.stringMatching(/after/) })],
    });
  });

  test.each(['2026-02-30', '2026-13-01', 'yesterday', '2026-11-3', '20261103', '2026-11-03T99:00:00Z'])(
    '%s is not a day',
    (value) => {
      expect(parseDayRange({ from: value, to: '2026-11-25' }, today)).toMatchObject({
        ok: false,
        issues: [{ path: 'from' }],
      });
    },
  );

  test('the sort-key bounds select the whole of both end days', () => {
    const { low, high } = dayRangeBounds('2026-11-01', '2026-11-02');
    const inRange = (sk: string) => sk >= low && sk <= high;
    expect(
      ['D#2026-11-01', 'D#2026-11-01#L#a', 'D#2026-11-02', 'D#2026-11-02#L#zz~z', 'D#2026-11-02#I#x'].every(
        inRange,
      ),
    ).toBe(true);
    expect(['D#2026-10-31', 'D#2026-10-31#L#zzz', 'D#2026-11-03'].some(inRange)).toBe(false);
  });
});

const money = (
  orders: number,
  revenueMinor: number,
  commissionMinor: number,
  flatFeesMinor = 0,
): MoneyTotals => ({
  orders,
  revenueMinor,
  commissionMinor,
  flatFeesMinor,
});
const values = (v: Partial<CounterValues>): CounterValues => ({
  clicks: 0,
  botClicks: 0,
  storefrontViews: 0,
  money: new Map(),
  visitors: [],
  ...v,
});

describe('influencer report', () => {
  const range: DayRange = { from: '2026-11-01', to: '2026-11-30', days: 30 };
  const visitors = (...ids: string[]) => ids.map(sketchElement);
  const rows: CounterRow[] = [
    {
      sk: 'D#2026-11-01',
      values: values({
        clicks: 3,
        botClicks: 1,
        storefrontViews: 2,
        money: new Map([['USD', money(1, 10_000, 1_000)]]),
        visitors: visitors('a', 'b'),
      }),
    },
    {
      sk: 'D#2026-11-01#L#anna-1',
      values: values({
        clicks: 3,
        botClicks: 1,
        money: new Map([['USD', money(1, 10_000, 1_000)]]),
        visitors: visitors('a', 'b'),
      }),
    },
    {
      sk: 'D#2026-11-02',
      values: values({
        clicks: 5,
        money: new Map([['EUR', money(2, 3_000, 301)]]),
        visitors: visitors('b', 'c'),
      }),
    },
    { sk: 'D#2026-11-02#L#anna-2', values: values({ clicks: 5, visitors: visitors('b', 'c') }) },
    // Outside the range (a caller's query may return more): ignored.
    { sk: 'D#2026-12-01', values: values({ clicks: 1000 }) },
  ];

  test('sums days, merges visitors, and computes rates over all clicks', () => {
    const report = buildInfluencerReport('anna', range, rows);
    expect(report).toEqual({
      influencerId: 'anna',
      from: '2026-11-01',
      to: '2026-11-30',
      clicks: 8,
      botClicks: 1,
      uniqueVisitors: 3,
      storefrontViews: 2,
      currencies: [
        {
          currency: 'EUR',
          orders: 2,
          revenueMinor: 3_000,
          commissionMinor: 301,
          conversionRateBps: 2500,
          epcMinor: 38,
        },
        {
          currency: 'USD',
          orders: 1,
          revenueMinor: 10_000,
          commissionMinor: 1_000,
          conversionRateBps: 1250,
          epcMinor: 125,
        },
      ],
      byLink: [
        {
          code: 'anna-1',
          clicks: 3,
          botClicks: 1,
          uniqueVisitors: 2,
          currencies: [
            {
              currency: 'USD',
              orders: 1,
              revenueMinor: 10_000,
              commissionMinor: 1_000,
              conversionRateBps: 3333,
              epcMinor: 333,
            },
          ],
        },
        { code: 'anna-2', clicks: 5, botClicks: 0, uniqueVisitors: 2, currencies: [] },
      ],
    });
  });

  test('an influencer without counters gets zeros, not divisions by zero', () => {
    expect(buildInfluencerReport('bea', range, [])).toEqual({
      influencerId: 'bea',
      from: '2026-11-01',
      to: '2026-11-30',
      clicks: 0,
      botClicks: 0,
      uniqueVisitors: 0,
      storefrontViews: 0,
      currencies: [],
      byLink: [],
    });
  });

  test('orders without clicks (coupons) give 0 EPC and conversion, money as it is', () => {
    const report = buildInfluencerReport('anna', range, [
      { sk: 'D#2026-11-05', values: values({ money: new Map([['USD', money(2, 5_000, 500)]]) }) },
    ]);
    expect(report.currencies).toEqual([
      {
        currency: 'USD',
        orders: 2,
        revenueMinor: 5_000,
        commissionMinor: 500,
        conversionRateBps: 0,
        epcMinor: 0,
      },
    ]);
  });

  test('CSV: a row per scope and currency, totals first', () => {
    const csv = influencerReportCsv(buildInfluencerReport('anna', range, rows));
    expect(csv.split('\r\n')).toEqual([
      'from,to,influencerId,code,clicks,botClicks,uniqueVisitors,storefrontViews,currency,orders,revenueMinor,commissionMinor,conversionRateBps,epcMinor',
      '2026-11-01,2026-11-30,anna,,8,1,3,2,EUR,2,3000,301,2500,38',
      '2026-11-01,2026-11-30,anna,,8,1,3,2,USD,1,10000,1000,1250,125',
      '2026-11-01,2026-11-30,anna,anna-1,3,1,2,,USD,1,10000,1000,3333,333',
      '2026-11-01,2026-11-30,anna,anna-2,5,0,2,,,0,0,0,0,0',
      '',
    ]);
  });
});

describe('merchant report', () => {
  const range: DayRange = { from: '2026-11-01', to: '2026-11-07', days: 7 };
  const rows: CounterRow[] = [
    {
      sk: 'D#2026-11-01',
      values: values({ clicks: 10, botClicks: 2, money: new Map([['USD', money(3, 30_000, 3_000)]]) }),
    },
    {
      sk: 'D#2026-11-01#I#anna',
      values: values({ clicks: 6, money: new Map([['USD', money(2, 20_001, 2_000)]]) }),
    },
    {
      sk: 'D#2026-11-01#I#bea',
      values: values({ clicks: 4, botClicks: 2, money: new Map([['USD', money(2, 9_999, 1_000)]]) }),
    },
    // A fully clawed-back influencer: commission 0, so no return on spend.
    { sk: 'D#2026-11-02#I#cleo', values: values({ money: new Map([['USD', money(1, 0, 0)]]) }) },
  ];

  test('per influencer: clicks, orders, revenue, commission, rates and return on spend', () => {
    const report = buildMerchantReport('shop', range, rows);
    expect(report.currencies).toEqual([
      {
        currency: 'USD',
        orders: 3,
        revenueMinor: 30_000,
        commissionMinor: 3_000,
        conversionRateBps: 3000,
        epcMinor: 300,
        flatFeesMinor: 0,
        spendMinor: 3_000,
        returnOnSpendBps: 100_000,
        returnOnSpend: '10.00',
      },
    ]);
    expect(report.byInfluencer.map((r) => [r.influencerId, r.clicks, r.currencies[0]])).toEqual([
      [
        'anna',
        6,
        expect.objectContaining({
          orders: 2,
          conversionRateBps: 3333,
          epcMinor: 333,
          returnOnSpendBps: 100_005,
          returnOnSpend: '10.00',
        }),
      ],
      [
        'bea',
        4,
        expect.objectContaining({
          orders: 2,
          conversionRateBps: 5000,
          epcMinor: 250,
          returnOnSpendBps: 99_990,
          returnOnSpend: '9.99',
        }),
      ],
      [
        'cleo',
        0,
        expect.objectContaining({
          conversionRateBps: 0,
          epcMinor: 0,
          returnOnSpendBps: null,
          returnOnSpend: null,
        }),
      ],
    ]);
    // An order split between two influencers is one order of the merchant's.
    expect(JSON.stringify(report)).not.toMatch(/\d\.\d{3,}|e[+-]\d/);
  });

  test('CSV: decimal return on spend, empty when undefined', () => {
    const lines = merchantReportCsv(buildMerchantReport('shop', range, rows)).split('\r\n');
    expect(lines[0]).toBe(
      'from,to,merchantId,influencerId,clicks,botClicks,currency,orders,revenueMinor,commissionMinor,conversionRateBps,epcMinor,flatFeesMinor,spendMinor,returnOnSpendBps,returnOnSpend',
    );
    expect(lines[1]).toBe('2026-11-01,2026-11-07,shop,,10,2,USD,3,30000,3000,3000,300,0,3000,100000,10.00');
    expect(lines[4]).toBe('2026-11-01,2026-11-07,shop,cleo,0,0,USD,1,0,0,0,0,0,0,,');
  });

  describe('flat fees', () => {
    const feeRows: CounterRow[] = [
      {
        sk: 'D#2026-11-01',
        values: values({ clicks: 10, money: new Map([['USD', money(2, 20_000, 1_000, 3_000)]]) }),
      },
      {
        sk: 'D#2026-11-01#I#anna',
        values: values({ clicks: 10, money: new Map([['USD', money(2, 20_000, 1_000, 1_000)]]) }),
      },
      // A fee in a currency without orders, and an influencer paid only a fee.
      { sk: 'D#2026-11-03', values: values({ money: new Map([['EUR', money(0, 0, 0, 500)]]) }) },
      { sk: 'D#2026-11-01#I#bea', values: values({ money: new Map([['USD', money(0, 0, 0, 2_000)]]) }) },
      { sk: 'D#2026-11-03#I#bea', values: values({ money: new Map([['EUR', money(0, 0, 0, 500)]]) }) },
      // Outside the range: not counted.
      { sk: 'D#2026-11-08', values: values({ money: new Map([['USD', money(0, 0, 0, 9_999)]]) }) },
    ];

    test('spend is commission plus fees; return on spend over it, null without spend', () => {
      const report = buildMerchantReport('shop', range, feeRows);
      expect(report.currencies).toEqual([
        expect.objectContaining({
          currency: 'EUR',
          orders: 0,
          revenueMinor: 0,
          commissionMinor: 0,
          flatFeesMinor: 500,
          spendMinor: 500,
          returnOnSpendBps: 0,
          returnOnSpend: '0.00',
        }),
        expect.objectContaining({
          currency: 'USD',
          commissionMinor: 1_000,
          flatFeesMinor: 3_000,
          spendMinor: 4_000,
          returnOnSpendBps: 50_000,
          returnOnSpend: '5.00',
        }),
      ]);
      const [anna, bea] = report.byInfluencer;
      expect(anna?.currencies).toEqual([
        expect.objectContaining({ currency: 'USD', spendMinor: 2_000, returnOnSpendBps: 100_000 }),
      ]);
      expect(
        bea?.currencies.map((c) => [c.currency, c.flatFeesMinor, c.spendMinor, c.returnOnSpendBps]),
      ).toEqual([
        ['EUR', 500, 500, 0],
        ['USD', 2_000, 2_000, 0],
      ]);
      const none = buildMerchantReport('shop', range, [
        { sk: 'D#2026-11-01', values: values({ money: new Map([['USD', money(1, 900, 0, 0)]]) }) },
      ]);
      expect(none.currencies[0]).toMatchObject({
        spendMinor: 0,
        returnOnSpendBps: null,
        returnOnSpend: null,
      });
    });

    test('the influencer report knows nothing of fees', () => {
      const report = buildInfluencerReport('anna', range, [
        { sk: 'D#2026-11-01', values: values({ money: new Map([['USD', money(1, 900, 90, 0)]]) }) },
      ]);
      expect(report.currencies[0]).not.toHaveProperty('flatFeesMinor');
    });

    test('CSV has the fee and spend columns', () => {
      const lines = merchantReportCsv(buildMerchantReport('shop', range, feeRows)).split('\r\n');
      expect(lines[1]).toBe('2026-11-01,2026-11-07,shop,,10,0,EUR,0,0,0,0,0,500,500,0,0.00');
      expect(lines[2]).toBe(
        '2026-11-01,2026-11-07,shop,,10,0,USD,2,20000,1000,2000,100,3000,4000,50000,5.00',
      );
    });

    test('fee counters are read back from stored items', () => {
      const read = valuesOfItem({ flatFeesMinor_USD: 1_500, commissionMinor_USD: 10 });
      expect(read.money.get('USD')).toEqual(money(0, 0, 10, 1_500));
    });
  });
});

describe('CSV cells', () => {
  test.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['-starts-with-minus', "'-starts-with-minus"],
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['@cmd', "'@cmd"],
  ])('%p → %p', (input, output) => {
    expect(csvCell(input)).toBe(output);
  });

  test('numbers (negative ones too) and nulls are not escaped', () => {
    expect(csvCell(-250)).toBe('-250');
    expect(csvCell(null)).toBe('');
  });
});

describe('counter items as read back', () => {
  test('money per currency from flat attribute names; junk is ignored', () => {
    const read = valuesOfItem({
      pk: 'INF#anna',
      sk: 'D#2026-11-01',
      clicks: 4,
      botClicks: 1,
      orders_USD: 2,
      revenueMinor_USD: 1999,
      commissionMinor_USD: -100,
      commissionMinor_EUR: 50,
      orders_usd: 7,
      visitors: new Set([sketchElement('a')]),
      expiresAt: 1,
    });
    expect(read.clicks).toBe(4);
    expect(read.storefrontViews).toBe(0);
    expect(Object.fromEntries(read.money)).toEqual({
      USD: money(2, 1999, -100),
      EUR: money(0, 0, 50),
    });
    expect(read.visitors).toHaveLength(1);
  });
});
