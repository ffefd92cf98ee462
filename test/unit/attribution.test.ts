import fc from 'fast-check';

import {
  ATTRIBUTION_MODELS,
  type AttributableClick,
  type AttributionDecision,
  type AttributionModel,
  aggregateByInfluencer,
  attributeToInfluencers,
  candidateClicks,
  clickWeights,
  DAY_MS,
  type DecideAttributionInput,
  decideAttribution,
  hasNewestCandidates,
  isAttributionModel,
  MAX_CANDIDATE_CLICKS,
  MAX_CREDITED_INFLUENCERS,
  UNATTRIBUTED_REASONS,
  type VisitorClick,
} from '../../functions/common/domain/attribution';

const ORDER_AT = Date.parse('2026-11-30T12:00:00.000Z');
const MERCHANT = 'glow-shop';
const order = { merchantId: MERCHANT, occurredAtMs: ORDER_AT };

/** A click of visitor-1 on the merchant's links, `msBeforeOrder` before the order. */
function visitorClick(
  clickId: string,
  influencerId: string,
  msBeforeOrder: number,
  overrides: Partial<Omit<VisitorClick, 'clickId' | 'influencerId' | 'occurredAtMs'>> = {},
): VisitorClick {
  return {
    clickId,
    influencerId,
    occurredAtMs: ORDER_AT - msBeforeOrder,
    merchantId: MERCHANT,
    bot: false,
    duplicate: false,
    ...overrides,
  };
}

const ids = (clicks: readonly { clickId: string }[]) => clicks.map((each) => each.clickId);
const weightsOf = (clicks: readonly AttributableClick[], model: AttributionModel) =>
  clickWeights(clicks, model).map((each) => each.weightBps);
/** n clicks one day apart, oldest first, ids c1..cn, all of one influencer unless given. */
const daily = (count: number, influencers: readonly string[] = ['anna']) =>
  Array.from({ length: count }, (_, index) =>
    visitorClick(
      `c${index + 1}`,
      influencers[index % influencers.length] ?? 'anna',
      (count - index) * DAY_MS,
    ),
  );

/** Unique ULID-like ids (time first) for generated clicks. */
const generatedId = (occurredAtMs: number, index: number) =>
  `${String(occurredAtMs).padStart(15, '0')}-${String(index).padStart(4, '0')}`;

const attributableClicksArb = (maxLength: number, spanMs: number) =>
  fc
    .array(
      fc.record({
        msBeforeOrder: fc.oneof(fc.integer({ min: 0, max: spanMs }), fc.constantFrom(0, DAY_MS, 7 * DAY_MS)),
        influencerId: fc.constantFrom('anna', 'ben', 'cleo', 'dev'),
      }),
      { minLength: 1, maxLength },
    )
    .map((records) =>
      records.map(
        (record, index): AttributableClick => ({
          clickId: generatedId(ORDER_AT - record.msBeforeOrder, index),
          influencerId: record.influencerId,
          occurredAtMs: ORDER_AT - record.msBeforeOrder,
        }),
      ),
    );

const withShuffle = <T>(arb: fc.Arbitrary<T[]>) =>
  arb.chain((items) =>
    fc.tuple(
      fc.constant(items),
      fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length }),
    ),
  );

const modelArb = fc.constantFrom(...ATTRIBUTION_MODELS);
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

describe('isAttributionModel', () => {
  it.each([
    ['last_click', true],
    ['position_based', true],
    ['Last_Click', false],
    ['data_driven', false],
  ])('isAttributionModel(%s) → %s', (value, expected) => {
    expect(isAttributionModel(value)).toBe(expected);
  });
});

describe('candidateClicks', () => {
  it.each([
    {
      name: 'keeps the merchant’s human clicks in the window, oldest first',
      clicks: [
        visitorClick('c3', 'anna', 0),
        visitorClick('c1', 'ben', 10 * DAY_MS),
        visitorClick('c2', 'anna', DAY_MS),
      ],
      windowDays: 30,
      expected: ['c1', 'c2', 'c3'],
    },
    {
      name: 'drops clicks on another merchant’s links',
      clicks: [
        visitorClick('c1', 'anna', DAY_MS, { merchantId: 'other-shop' }),
        visitorClick('c2', 'anna', 0),
      ],
      windowDays: 30,
      expected: ['c2'],
    },
    {
      name: 'drops bot and duplicate clicks',
      clicks: [
        visitorClick('c1', 'anna', 3 * DAY_MS, { bot: true }),
        visitorClick('c2', 'anna', 2 * DAY_MS),
        visitorClick('c3', 'anna', 2 * DAY_MS - 10_000, { duplicate: true }),
      ],
      windowDays: 30,
      expected: ['c2'],
    },
    {
      name: 'keeps a click at the order’s exact time, drops one a millisecond after',
      clicks: [visitorClick('c1', 'anna', 0), visitorClick('c2', 'anna', -1)],
      windowDays: 30,
      expected: ['c1'],
    },
    {
      name: 'keeps a click exactly windowDays old, drops one a millisecond older',
      clicks: [visitorClick('c1', 'anna', 30 * DAY_MS + 1), visitorClick('c2', 'anna', 30 * DAY_MS)],
      windowDays: 30,
      expected: ['c2'],
    },
    {
      name: 'a window of 0 days keeps only clicks at the order’s time',
      clicks: [visitorClick('c1', 'anna', 1), visitorClick('c2', 'anna', 0)],
      windowDays: 0,
      expected: ['c2'],
    },
    {
      name: 'orders clicks of the same millisecond by clickId',
      clicks: [visitorClick('01JB', 'anna', 5), visitorClick('01JA', 'ben', 5)],
      windowDays: 30,
      expected: ['01JA', '01JB'],
    },
    {
      name: 'lists a click returned twice once',
      clicks: [visitorClick('c1', 'anna', 5), visitorClick('c1', 'anna', 5)],
      windowDays: 30,
      expected: ['c1'],
    },
    { name: 'no clicks', clicks: [], windowDays: 30, expected: [] },
  ])('$name', ({ clicks, windowDays, expected }) => {
    expect(ids(candidateClicks(clicks, order, windowDays))).toEqual(expected);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'throws a RangeError for a window of %s days',
    (days) => {
      expect(() => candidateClicks([], order, days)).toThrow(RangeError);
    },
  );
});

describe('clickWeights', () => {
  it.each<{ model: AttributionModel; count: number; weights: number[] }>([
    { model: 'last_click', count: 1, weights: [10_000] },
    { model: 'last_click', count: 3, weights: [0, 0, 10_000] },
    { model: 'first_click', count: 1, weights: [10_000] },
    { model: 'first_click', count: 3, weights: [10_000, 0, 0] },
    { model: 'linear', count: 1, weights: [10_000] },
    { model: 'linear', count: 2, weights: [5_000, 5_000] },
    // Ties of the largest-remainder split go to the older click.
    { model: 'linear', count: 3, weights: [3_334, 3_333, 3_333] },
    { model: 'linear', count: 7, weights: [1_429, 1_429, 1_429, 1_429, 1_428, 1_428, 1_428] },
    { model: 'position_based', count: 1, weights: [10_000] },
    { model: 'position_based', count: 2, weights: [5_000, 5_000] },
    { model: 'position_based', count: 3, weights: [4_000, 2_000, 4_000] },
    { model: 'position_based', count: 4, weights: [4_000, 1_000, 1_000, 4_000] },
    { model: 'position_based', count: 5, weights: [4_000, 667, 667, 666, 4_000] },
    { model: 'time_decay', count: 1, weights: [10_000] },
  ])('$model over $count clicks → $weights', ({ model, count, weights }) => {
    expect(weightsOf(daily(count), model)).toEqual(weights);
  });

  it.each([
    // Ages 14, 7 and 0 days: real weights 1 : 2 : 4, i.e. 1 428.57, 2 857.14, 5 714.29 bps.
    { name: 'one half-life apart each', ages: [14 * DAY_MS, 7 * DAY_MS, 0], weights: [1_429, 2_857, 5_714] },
    // Weights 1 : 2: 3 333.33, 6 666.67.
    { name: 'a week older', ages: [7 * DAY_MS, 0], weights: [3_333, 6_667] },
    // 2^(−1/7) : 1 = 0.9057 : 1 → 4 752.65 : 5 247.35 bps; the larger remainder is the older click's.
    { name: 'a day older', ages: [DAY_MS, 0], weights: [4_753, 5_247] },
    { name: 'the same time', ages: [DAY_MS, DAY_MS], weights: [5_000, 5_000] },
    // Only the relative age matters: both clicks 30 days older changes nothing.
    {
      name: 'a week older, both a month before the order',
      ages: [37 * DAY_MS, 30 * DAY_MS],
      weights: [3_333, 6_667],
    },
    // 2^(−300/7) × 2^40 rounds to 0: a weightless click gets 0 bps, the rest the whole.
    { name: '300 days older', ages: [300 * DAY_MS, 0], weights: [0, 10_000] },
  ])('time_decay, $name → $weights', ({ ages, weights }) => {
    const clicks = ages.map((age, index) => visitorClick(`c${index + 1}`, 'anna', age));
    expect(weightsOf(clicks, 'time_decay')).toEqual(weights);
  });

  it('orders the clicks by time whatever the input order, and by clickId within a millisecond', () => {
    const clicks = [
      visitorClick('c2', 'ben', DAY_MS),
      visitorClick('c3', 'cleo', 0),
      visitorClick('c1', 'anna', 2 * DAY_MS),
    ];
    expect(ids(clickWeights(clicks, 'linear').map((each) => each.click))).toEqual(['c1', 'c2', 'c3']);
    const sameMillisecond = [visitorClick('01JB', 'ben', 0), visitorClick('01JA', 'anna', 0)];
    expect(
      clickWeights(sameMillisecond, 'last_click').map((each) => [each.click.clickId, each.weightBps]),
    ).toEqual([
      ['01JA', 0],
      ['01JB', 10_000],
    ]);
  });

  it('throws a RangeError without clicks, or for an unknown model', () => {
    expect(() => clickWeights([], 'last_click')).toThrow(RangeError);
    expect(() => clickWeights(daily(2), 'data_driven' as unknown as AttributionModel)).toThrow(RangeError);
  });

  describe('properties', () => {
    const clicksArb = attributableClicksArb(25, 30 * DAY_MS);

    it('weights are non-negative integers that sum to exactly 10 000, one per click', () => {
      fc.assert(
        fc.property(clicksArb, modelArb, (clicks, model) => {
          const weighted = clickWeights(clicks, model);
          expect(weighted).toHaveLength(clicks.length);
          expect(weighted.every((each) => Number.isInteger(each.weightBps) && each.weightBps >= 0)).toBe(
            true,
          );
          expect(sum(weighted.map((each) => each.weightBps))).toBe(10_000);
        }),
      );
    });

    it('respects the order of clicks: first_click credits the oldest, last_click the newest', () => {
      fc.assert(
        fc.property(clicksArb, (clicks) => {
          const chronological = [...clicks].sort(
            (left, right) =>
              left.occurredAtMs - right.occurredAtMs || (left.clickId < right.clickId ? -1 : 1),
          );
          const oldest = chronological[0]?.clickId;
          const newest = chronological[chronological.length - 1]?.clickId;
          const first = clickWeights(clicks, 'first_click');
          const last = clickWeights(clicks, 'last_click');
          expect(first.find((each) => each.weightBps === 10_000)?.click.clickId).toBe(oldest);
          expect(last.find((each) => each.weightBps === 10_000)?.click.clickId).toBe(newest);
        }),
      );
    });

    it('position_based gives the first and last click at least as much as any middle click', () => {
      fc.assert(
        fc.property(clicksArb, (clicks) => {
          const weights = clickWeights(clicks, 'position_based').map((each) => each.weightBps);
          const first = weights[0] ?? 0;
          const last = weights[weights.length - 1] ?? 0;
          for (const middle of weights.slice(1, -1)) {
            expect(first).toBeGreaterThanOrEqual(middle);
            expect(last).toBeGreaterThanOrEqual(middle);
          }
          if (weights.length >= 3) expect([first, last]).toEqual([4_000, 4_000]);
          if (weights.length >= 3) expect(sum(weights.slice(1, -1))).toBe(2_000);
          if (weights.length === 2) expect(weights).toEqual([5_000, 5_000]);
        }),
      );
    });

    it('linear gives every click the same weight, within 1, older clicks first', () => {
      fc.assert(
        fc.property(clicksArb, (clicks) => {
          const weights = clickWeights(clicks, 'linear').map((each) => each.weightBps);
          expect(Math.max(...weights) - Math.min(...weights)).toBeLessThanOrEqual(1);
          expect([...weights].sort((left, right) => right - left)).toEqual(weights);
        }),
      );
    });

    it('time_decay never gives a strictly newer click less than an older one, and halves per 7 days', () => {
      fc.assert(
        fc.property(clicksArb, (clicks) => {
          const weighted = clickWeights(clicks, 'time_decay');
          weighted.forEach((older, index) => {
            for (const newer of weighted.slice(index + 1)) {
              if (newer.click.occurredAtMs > older.click.occurredAtMs) {
                expect(newer.weightBps).toBeGreaterThanOrEqual(older.weightBps);
              }
            }
          });
          // Each weight is within a rounding of its exact share 10 000 × 2^(−age/7d) / Σ.
          const newest = Math.max(...clicks.map((each) => each.occurredAtMs));
          const real = weighted.map((each) => 2 ** (-(newest - each.click.occurredAtMs) / (7 * DAY_MS)));
          const realSum = sum(real);
          weighted.forEach((each, index) => {
            expect(Math.abs(each.weightBps - (10_000 * (real[index] ?? 0)) / realSum)).toBeLessThan(1.0001);
          });
        }),
      );
    });

    it('does not depend on the order of the input (every model)', () => {
      fc.assert(
        fc.property(withShuffle(clicksArb), modelArb, ([clicks, shuffled], model) => {
          const byId = (weighted: ReturnType<typeof clickWeights>) =>
            Object.fromEntries(weighted.map((each) => [each.click.clickId, each.weightBps]));
          expect(byId(clickWeights(shuffled, model))).toEqual(byId(clickWeights(clicks, model)));
        }),
      );
    });
  });
});

describe('aggregateByInfluencer', () => {
  const shares = (model: AttributionModel, influencers: string[]) =>
    attributeToInfluencers(daily(influencers.length, influencers), model, ORDER_AT);

  it('adds up the weights of one influencer’s clicks and keeps them as evidence (linear)', () => {
    expect(shares('linear', ['anna', 'ben', 'anna'])).toEqual([
      { influencerId: 'ben', weightBps: 3_333, clickId: 'c2', clickAgeMs: 2 * DAY_MS, clickIds: ['c2'] },
      { influencerId: 'anna', weightBps: 6_667, clickId: 'c3', clickAgeMs: DAY_MS, clickIds: ['c1', 'c3'] },
    ]);
  });

  it('leaves out influencers whose clicks earned nothing (last_click)', () => {
    expect(shares('last_click', ['anna', 'ben', 'anna'])).toEqual([
      { influencerId: 'anna', weightBps: 10_000, clickId: 'c3', clickAgeMs: DAY_MS, clickIds: ['c1', 'c3'] },
    ]);
  });

  it('represents the influencer by the click that earned the weight (first_click)', () => {
    expect(shares('first_click', ['anna', 'ben', 'anna'])).toEqual([
      {
        influencerId: 'anna',
        weightBps: 10_000,
        clickId: 'c1',
        clickAgeMs: 3 * DAY_MS,
        clickIds: ['c1', 'c3'],
      },
    ]);
  });

  it('position_based over four clicks of three influencers', () => {
    expect(shares('position_based', ['anna', 'ben', 'cleo', 'ben'])).toEqual([
      { influencerId: 'anna', weightBps: 4_000, clickId: 'c1', clickAgeMs: 4 * DAY_MS, clickIds: ['c1'] },
      { influencerId: 'cleo', weightBps: 1_000, clickId: 'c3', clickAgeMs: 2 * DAY_MS, clickIds: ['c3'] },
      { influencerId: 'ben', weightBps: 5_000, clickId: 'c4', clickAgeMs: DAY_MS, clickIds: ['c2', 'c4'] },
    ]);
  });

  it('accepts weighted clicks in any order', () => {
    const weighted = clickWeights(daily(3, ['anna', 'ben', 'anna']), 'linear');
    expect(aggregateByInfluencer([...weighted].reverse(), ORDER_AT)).toEqual(
      aggregateByInfluencer(weighted, ORDER_AT),
    );
  });

  describe('properties', () => {
    const clicksArb = attributableClicksArb(25, 60 * DAY_MS);

    it('one share per credited influencer, weights of its clicks added, 10 000 in all', () => {
      fc.assert(
        fc.property(clicksArb, modelArb, (clicks, model) => {
          const weighted = clickWeights(clicks, model);
          const result = aggregateByInfluencer(weighted, ORDER_AT);
          expect(sum(result.map((share) => share.weightBps))).toBe(10_000);
          expect(new Set(result.map((share) => share.influencerId)).size).toBe(result.length);
          for (const share of result) {
            const own = weighted.filter((each) => each.click.influencerId === share.influencerId);
            expect(share.weightBps).toBe(sum(own.map((each) => each.weightBps)));
            expect(share.weightBps).toBeGreaterThan(0);
            expect(share.clickIds).toEqual(own.map((each) => each.click.clickId));
            const representative = own.find((each) => each.click.clickId === share.clickId);
            expect(representative?.weightBps).toBeGreaterThan(0);
            expect(share.clickAgeMs).toBe(ORDER_AT - (representative?.click.occurredAtMs ?? Number.NaN));
          }
          const credited = new Set(
            weighted.filter((each) => each.weightBps > 0).map((each) => each.click.influencerId),
          );
          expect(new Set(result.map((share) => share.influencerId))).toEqual(credited);
        }),
      );
    });

    it('does not depend on the order of the input', () => {
      fc.assert(
        fc.property(withShuffle(clicksArb), modelArb, ([clicks, shuffled], model) => {
          expect(attributeToInfluencers(shuffled, model, ORDER_AT)).toEqual(
            attributeToInfluencers(clicks, model, ORDER_AT),
          );
        }),
      );
    });
  });
});

describe('decideAttribution', () => {
  const settings = { attributionModel: 'last_click' as AttributionModel, attributionWindowDays: 30 };
  const coupon = { influencerId: 'cleo' };
  const couponCredit: AttributionDecision = {
    kind: 'credited',
    method: 'coupon',
    shares: [{ influencerId: 'cleo', weightBps: 10_000, clickIds: [] }],
  };
  const good = visitorClick('c5', 'anna', 2 * DAY_MS);
  const olderGood = visitorClick('c2', 'ben', 10 * DAY_MS);

  const cases: {
    name: string;
    input: Omit<DecideAttributionInput, 'order' | 'merchant'> & {
      merchant?: DecideAttributionInput['merchant'];
    };
    withoutCoupon: AttributionDecision;
  }[] = [
    {
      name: 'no clickId',
      input: { orderClick: { kind: 'no_click_id' }, visitorClicks: [] },
      withoutCoupon: { kind: 'unattributed', reason: 'no_click' },
    },
    {
      name: 'an unknown clickId',
      input: { orderClick: { kind: 'not_found' }, visitorClicks: [] },
      withoutCoupon: { kind: 'unattributed', reason: 'unknown_click' },
    },
    {
      name: 'a click on another merchant’s link',
      input: {
        orderClick: {
          kind: 'found',
          click: visitorClick('c5', 'anna', DAY_MS, { merchantId: 'other-shop' }),
        },
        visitorClicks: [olderGood],
      },
      withoutCoupon: { kind: 'unattributed', reason: 'other_merchant' },
    },
    {
      name: 'a bot click (the visitor’s other clicks are not used either)',
      input: {
        orderClick: { kind: 'found', click: visitorClick('c5', 'anna', DAY_MS, { bot: true }) },
        visitorClicks: [olderGood],
      },
      withoutCoupon: { kind: 'unattributed', reason: 'bot' },
    },
    {
      name: 'a click older than the window',
      input: {
        orderClick: { kind: 'found', click: visitorClick('c1', 'anna', 31 * DAY_MS) },
        visitorClicks: [],
      },
      withoutCoupon: { kind: 'unattributed', reason: 'expired' },
    },
    {
      name: 'a click after the order',
      input: { orderClick: { kind: 'found', click: visitorClick('c9', 'anna', -60_000) }, visitorClicks: [] },
      withoutCoupon: { kind: 'unattributed', reason: 'expired' },
    },
    {
      name: 'a duplicate click whose original is outside the window',
      input: {
        orderClick: {
          kind: 'found',
          click: visitorClick('c2', 'anna', 30 * DAY_MS - 1, { duplicate: true }),
        },
        visitorClicks: [visitorClick('c1', 'anna', 30 * DAY_MS + 10_000)],
      },
      withoutCoupon: { kind: 'unattributed', reason: 'expired' },
    },
  ];

  it.each(cases)('$name → unattributed without a coupon', ({ input, withoutCoupon }) => {
    expect(decideAttribution({ order, merchant: settings, ...input })).toEqual(withoutCoupon);
  });

  it.each(cases)('$name → the coupon’s influencer 100 % with one', ({ input }) => {
    expect(decideAttribution({ order, merchant: settings, ...input, couponOwner: coupon })).toEqual(
      couponCredit,
    );
  });

  it('credits the order’s click, with its age as evidence', () => {
    expect(
      decideAttribution({
        order,
        merchant: settings,
        orderClick: { kind: 'found', click: good },
        visitorClicks: [good],
      }),
    ).toEqual({
      kind: 'credited',
      method: 'last_click',
      shares: [
        { influencerId: 'anna', weightBps: 10_000, clickId: 'c5', clickAgeMs: 2 * DAY_MS, clickIds: ['c5'] },
      ],
    });
  });

  it('prefers a usable click over the coupon', () => {
    const decision = decideAttribution({
      order,
      merchant: settings,
      orderClick: { kind: 'found', click: good },
      visitorClicks: [good],
      couponOwner: coupon,
    });
    expect(decision).toMatchObject({
      kind: 'credited',
      method: 'last_click',
      shares: [{ influencerId: 'anna' }],
    });
  });

  it('counts the order’s click even when the visitor query did not return it', () => {
    const decision = decideAttribution({
      order,
      merchant: { attributionModel: 'linear', attributionWindowDays: 30 },
      orderClick: { kind: 'found', click: good },
      visitorClicks: [olderGood],
    });
    expect(decision).toMatchObject({
      kind: 'credited',
      method: 'linear',
      shares: [
        { influencerId: 'ben', weightBps: 5_000 },
        { influencerId: 'anna', weightBps: 5_000 },
      ],
    });
  });

  it('a duplicate order click is credited through the visitor’s original click', () => {
    const original = visitorClick('c4', 'anna', 2 * DAY_MS + 10_000);
    const repeat = visitorClick('c5', 'anna', 2 * DAY_MS, { duplicate: true });
    expect(
      decideAttribution({
        order,
        merchant: settings,
        orderClick: { kind: 'found', click: repeat },
        visitorClicks: [original, repeat],
      }),
    ).toEqual({
      kind: 'credited',
      method: 'last_click',
      shares: [
        {
          influencerId: 'anna',
          weightBps: 10_000,
          clickId: 'c4',
          clickAgeMs: 2 * DAY_MS + 10_000,
          clickIds: ['c4'],
        },
      ],
    });
  });

  it('credits the visitor’s latest candidate, which need not be the order’s click (last_click)', () => {
    const later = visitorClick('c7', 'ben', DAY_MS);
    const decision = decideAttribution({
      order,
      merchant: settings,
      orderClick: { kind: 'found', click: good },
      visitorClicks: [good, later],
    });
    expect(decision).toMatchObject({ kind: 'credited', shares: [{ influencerId: 'ben', clickId: 'c7' }] });
  });

  it('ignores the visitor’s clicks on other merchants, bots, duplicates, and clicks after the order', () => {
    const decision = decideAttribution({
      order,
      merchant: { attributionModel: 'linear', attributionWindowDays: 30 },
      orderClick: { kind: 'found', click: good },
      visitorClicks: [
        good,
        visitorClick('c1', 'ben', 3 * DAY_MS, { merchantId: 'other-shop' }),
        visitorClick('c3', 'ben', 3 * DAY_MS, { bot: true }),
        visitorClick('c4', 'ben', 3 * DAY_MS, { duplicate: true }),
        visitorClick('c8', 'ben', -1),
      ],
    });
    expect(decision).toMatchObject({
      kind: 'credited',
      shares: [{ influencerId: 'anna', weightBps: 10_000 }],
    });
  });

  it('time_decay across influencers, with each representative click’s age', () => {
    const decision = decideAttribution({
      order,
      merchant: { attributionModel: 'time_decay', attributionWindowDays: 30 },
      orderClick: { kind: 'found', click: visitorClick('c3', 'anna', 0) },
      visitorClicks: [visitorClick('c1', 'anna', 14 * DAY_MS), visitorClick('c2', 'ben', 7 * DAY_MS)],
    });
    expect(decision).toEqual({
      kind: 'credited',
      method: 'time_decay',
      shares: [
        { influencerId: 'ben', weightBps: 2_857, clickId: 'c2', clickAgeMs: 7 * DAY_MS, clickIds: ['c2'] },
        { influencerId: 'anna', weightBps: 7_143, clickId: 'c3', clickAgeMs: 0, clickIds: ['c1', 'c3'] },
      ],
    });
  });

  describe('properties', () => {
    const visitorClicksArb = fc
      .array(
        fc.record({
          msBeforeOrder: fc.integer({ min: -2 * DAY_MS, max: 40 * DAY_MS }),
          influencerId: fc.constantFrom('anna', 'ben', 'cleo'),
          merchantId: fc.constantFrom(MERCHANT, MERCHANT, 'other-shop'),
          bot: fc.integer({ min: 0, max: 5 }).map((draw) => draw === 0),
          duplicate: fc.integer({ min: 0, max: 5 }).map((draw) => draw === 0),
        }),
        { minLength: 1, maxLength: 15 },
      )
      .map((records) =>
        records.map(
          (record, index): VisitorClick => ({
            clickId: generatedId(ORDER_AT - record.msBeforeOrder, index),
            influencerId: record.influencerId,
            occurredAtMs: ORDER_AT - record.msBeforeOrder,
            merchantId: record.merchantId,
            bot: record.bot,
            duplicate: record.duplicate,
          }),
        ),
      );
    const inputArb = fc
      .tuple(visitorClicksArb, fc.nat(), modelArb, fc.integer({ min: 0, max: 45 }))
      .map(([visitorClicks, pick, attributionModel, attributionWindowDays]) => ({
        order,
        merchant: { attributionModel, attributionWindowDays },
        orderClick: {
          kind: 'found' as const,
          click: visitorClicks[pick % visitorClicks.length] as VisitorClick,
        },
        visitorClicks,
      }));

    it('credits exactly 10 000 bps or gives a listed reason; a coupon only fills in for no usable click', () => {
      fc.assert(
        fc.property(inputArb, (input) => {
          const withoutCoupon = decideAttribution(input);
          const withCoupon = decideAttribution({ ...input, couponOwner: coupon });
          if (withoutCoupon.kind === 'unattributed') {
            expect(UNATTRIBUTED_REASONS).toContain(withoutCoupon.reason);
            expect(withCoupon).toEqual(couponCredit);
          } else {
            expect(withoutCoupon.method).toBe(input.merchant.attributionModel);
            expect(sum(withoutCoupon.shares.map((share) => share.weightBps))).toBe(10_000);
            expect(withCoupon).toEqual(withoutCoupon);
            for (const share of withoutCoupon.shares) {
              expect(share.clickAgeMs).toBeGreaterThanOrEqual(0);
              expect(share.clickAgeMs).toBeLessThanOrEqual(input.merchant.attributionWindowDays * DAY_MS);
            }
          }
        }),
      );
    });

    it('does not depend on the order in which the visitor’s clicks are listed', () => {
      fc.assert(
        fc.property(
          inputArb.chain((input) =>
            fc.tuple(
              fc.constant(input),
              fc.shuffledSubarray(input.visitorClicks, {
                minLength: input.visitorClicks.length,
                maxLength: input.visitorClicks.length,
              }),
            ),
          ),
          ([input, shuffled]) => {
            expect(decideAttribution({ ...input, visitorClicks: shuffled })).toEqual(
              decideAttribution(input),
            );
          },
        ),
      );
    });
  });
});

describe('the bounds of CONTRACT §6: 50 newest candidate clicks, 20 influencers', () => {
  /** Clicks of many influencers (ids i0..i59), for the bounds; one influencer may click several times. */
  const manyInfluencersArb = fc
    .array(
      fc.record({
        msBeforeOrder: fc.integer({ min: 0, max: 20 * DAY_MS }),
        influencer: fc.integer({ min: 0, max: 59 }),
      }),
      { minLength: 1, maxLength: 120 },
    )
    .map((records) =>
      records.map(
        (record, index): AttributableClick => ({
          clickId: generatedId(ORDER_AT - record.msBeforeOrder, index),
          influencerId: `i${record.influencer}`,
          occurredAtMs: ORDER_AT - record.msBeforeOrder,
        }),
      ),
    );

  it('counts only the 50 newest candidates', () => {
    const clicks = daily(80, ['a', 'b', 'c']);
    const candidates = candidateClicks(clicks, order, 90);
    expect(candidates).toHaveLength(MAX_CANDIDATE_CLICKS);
    expect(ids(candidates)).toEqual(ids(clicks.slice(-MAX_CANDIDATE_CLICKS)));
    // Under first_click the first of the 50 newest earns it, not the visitor's first click ever.
    expect(attributeToInfluencers(candidates, 'first_click', ORDER_AT)).toEqual([
      expect.objectContaining({ clickId: 'c31', weightBps: 10_000 }),
    ]);
  });

  it('credits the 20 heaviest of 60 linear influencers: equal weights go to the earlier first click', () => {
    // One click each, one minute apart: all weigh the same, so the 20 oldest first clicks win.
    const clicks = Array.from({ length: 60 }, (_, index) =>
      visitorClick(`c${String(index).padStart(2, '0')}`, `i${index}`, (60 - index) * 60_000),
    );
    const shares = attributeToInfluencers(clicks, 'linear', ORDER_AT);
    expect(shares.map((share) => share.influencerId)).toEqual(
      Array.from({ length: 20 }, (_, index) => `i${index}`),
    );
    expect(shares.map((share) => share.weightBps)).toEqual(Array(20).fill(500));
  });

  it('rescales the chosen weights to 10 000 by the largest remainder', () => {
    // 21 influencers: one with 4 clicks of 24 (so 1 667 bps), twenty with one each (416 or 417).
    const clicks = [
      ...Array.from({ length: 20 }, (_, index) =>
        visitorClick(`c${String(index).padStart(2, '0')}`, `i${index}`, (40 - index) * 60_000),
      ),
      ...Array.from({ length: 4 }, (_, index) => visitorClick(`d${index}`, 'heavy', (4 - index) * 1000)),
    ];
    const shares = attributeToInfluencers(clicks, 'linear', ORDER_AT);
    expect(shares).toHaveLength(20);
    expect(sum(shares.map((share) => share.weightBps))).toBe(10_000);
    expect(shares.map((share) => share.influencerId)).toContain('heavy');
    expect(shares.map((share) => share.influencerId)).not.toContain('i19');
  });

  describe('properties', () => {
    it('weights sum to 10 000, at most 20 influencers, and the chosen ones are the top 20 by weight', () => {
      fc.assert(
        fc.property(manyInfluencersArb, modelArb, (clicks, model) => {
          const weighted = clickWeights(clicks, model);
          const all = aggregateByInfluencer(weighted, ORDER_AT, Number.POSITIVE_INFINITY);
          const credited = aggregateByInfluencer(weighted, ORDER_AT);
          expect(sum(credited.map((share) => share.weightBps))).toBe(10_000);
          expect(credited.length).toBe(Math.min(all.length, MAX_CREDITED_INFLUENCERS));

          const timeOf = new Map(clicks.map((click) => [click.clickId, click.occurredAtMs]));
          const firstClickMs = (share: { clickIds: readonly string[] }) =>
            timeOf.get(share.clickIds[0] ?? '') ?? 0;
          const rank = [...all].sort(
            (left, right) =>
              right.weightBps - left.weightBps ||
              firstClickMs(left) - firstClickMs(right) ||
              ((left.clickIds[0] ?? '') < (right.clickIds[0] ?? '') ? -1 : 1),
          );
          const top = new Set(rank.slice(0, MAX_CREDITED_INFLUENCERS).map((share) => share.influencerId));
          expect(new Set(credited.map((share) => share.influencerId))).toEqual(top);
          // Rescaling only grows a weight, and keeps every chosen influencer above 0.
          const before = new Map(all.map((share) => [share.influencerId, share.weightBps]));
          for (const share of credited) {
            expect(share.weightBps).toBeGreaterThanOrEqual(before.get(share.influencerId) ?? 0);
            expect(share.weightBps).toBeGreaterThan(0);
          }
        }),
      );
    });

    it('decideAttribution never credits more than 20 influencers or counts more than 50 clicks', () => {
      fc.assert(
        fc.property(manyInfluencersArb, modelArb, (clicks, model) => {
          const visitorClicks = clicks.map((click) => ({
            ...click,
            merchantId: MERCHANT,
            bot: false,
            duplicate: false,
          }));
          const newest = visitorClicks.reduce((a, b) => (b.occurredAtMs > a.occurredAtMs ? b : a));
          const decision = decideAttribution({
            order,
            orderClick: { kind: 'found', click: newest },
            visitorClicks,
            merchant: { attributionModel: model, attributionWindowDays: 30 },
          });
          if (decision.kind !== 'credited') throw new Error('expected a credit');
          expect(decision.shares.length).toBeLessThanOrEqual(MAX_CREDITED_INFLUENCERS);
          expect(sum(decision.shares.map((share) => share.weightBps))).toBe(10_000);
          expect(sum(decision.shares.map((share) => share.clickIds.length))).toBeLessThanOrEqual(
            MAX_CANDIDATE_CLICKS,
          );
        }),
      );
    });
  });

  describe('hasNewestCandidates (reading a visitor newest first)', () => {
    const clickAt = (index: number, msBeforeOrder: number, overrides: Record<string, unknown> = {}) => ({
      ...visitorClick(`c${String(index).padStart(3, '0')}`, 'anna', msBeforeOrder),
      code: `link-${index}`,
      visitorId: 'visitor-1',
      ...overrides,
    });

    it('is false until 50 candidates are settled beyond the duplicate window of the oldest click read', () => {
      const minutes = Array.from({ length: 51 }, (_, index) => clickAt(index, (51 - index) * 60_000));
      // The oldest click read may still turn out a duplicate of an unread one: 50 of 51 are settled.
      expect(hasNewestCandidates(minutes, order, 30)).toBe(true);
      expect(hasNewestCandidates(minutes.slice(1), order, 30)).toBe(false);
    });

    it('does not count bots, other merchants or duplicates', () => {
      const clicks = Array.from({ length: 80 }, (_, index) =>
        clickAt(index, (80 - index) * 60_000, index % 2 === 0 ? { bot: true } : {}),
      );
      expect(hasNewestCandidates(clicks, order, 30)).toBe(false);
      const sameLink = Array.from({ length: 80 }, (_, index) =>
        clickAt(index, (80 - index) * 10_000, { code: 'one-link' }),
      );
      expect(hasNewestCandidates(sameLink, order, 30)).toBe(false);
      const elsewhere = Array.from({ length: 80 }, (_, index) =>
        clickAt(index, (80 - index) * 60_000, { merchantId: 'other' }),
      );
      expect(hasNewestCandidates(elsewhere, order, 30)).toBe(false);
    });
  });
});
