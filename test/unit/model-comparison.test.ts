/**
 * The attribution model comparison (CONTRACT §10): each model on a small example worked by hand,
 * the coupon fallback, refunds and own rates, and, over random candidate sets, lines, rates and
 * refunds, the entry of the model an order was credited under equals the ledger's real credits.
 */
import fc from 'fast-check';
import { comparableOrder } from '../../functions/common/actions/comparable-order';
import {
  type AttributableClick,
  candidateClicks,
  DAY_MS,
  decideAttribution,
  type VisitorClick,
} from '../../functions/common/domain/attribution';
import { ATTRIBUTION_MODELS, type AttributionModel } from '../../functions/common/domain/attribution-models';
import type { CommissionRates, OrderLine } from '../../functions/common/domain/commission';
import { formatInstant } from '../../functions/common/domain/instant';
import {
  type ComparableOrder,
  compareModels,
  modelCredit,
} from '../../functions/common/domain/model-comparison';
import { keptLinesAfter, planLedger, type RefundEvent } from '../../functions/common/domain/order-ledger';
import { type OrderRoot, orderRepo } from '../../functions/common/repos/orders';

const ORDER_MS = Date.parse('2026-11-15T12:00:00.000Z');
const click = (clickId: string, influencerId: string, daysBefore: number): AttributableClick => ({
  clickId,
  influencerId,
  occurredAtMs: ORDER_MS - daysBefore * DAY_MS,
});
/** Anna 14 days before the order, Ben 7 days, Cleo at the order's time. */
const threeClicks = [click('01A', 'anna', 14), click('01B', 'ben', 7), click('01C', 'cleo', 0)];
const lines: OrderLine[] = [{ sku: 'A', quantity: 1, unitPriceMinor: 10_000 }];

function order(overrides: Partial<ComparableOrder> = {}): ComparableOrder {
  return {
    currency: 'USD',
    occurredAtMs: ORDER_MS,
    basis: { kind: 'clicks', candidates: threeClicks },
    keptLines: lines,
    rates: { defaultBps: 1_000 },
    ownRates: new Map(),
    ...overrides,
  };
}

const partsOf = (o: ComparableOrder, model: AttributionModel) =>
  Object.fromEntries(modelCredit(o, model).parts.map((p) => [p.influencerId, p.commissionMinor]));

describe('each model on three clicks of three influencers, 10 % of 100.00', () => {
  test.each([
    ['last_click', { cleo: 1_000 }],
    ['first_click', { anna: 1_000 }],
    // 3 334 / 3 333 / 3 333 bps: 333.4, 333.3, 333.3; the unit left goes to the largest remainder.
    ['linear', { anna: 334, ben: 333, cleo: 333 }],
    // Weights 1/4, 1/2, 1 of the newest: 1 429 / 2 857 / 5 714 bps; 142.9, 285.7, 571.4.
    ['time_decay', { anna: 143, ben: 286, cleo: 571 }],
    // 40 % first, 20 % the middle, 40 % last.
    ['position_based', { anna: 400, ben: 200, cleo: 400 }],
  ] as const)('%s', (model, expected) => {
    expect(partsOf(order(), model)).toEqual(expected);
    expect(modelCredit(order(), model).commissionMinor).toBe(1_000);
  });

  test('an influencer with weight 0 is not counted: last click leaves Anna and Ben out', () => {
    const lastClick = compareModels([order()]).find((m) => m.model === 'last_click');
    expect(lastClick?.byInfluencer).toEqual([
      { influencerId: 'cleo', currencies: [{ currency: 'USD', orders: 1, commissionMinor: 1_000 }] },
    ]);
  });

  test('own rates apply to the influencer who has them, in every model', () => {
    const o = order({ ownRates: new Map([['ben', { defaultBps: 2_000 }]]) });
    // Linear: exact 333.4 + 666.6 + 333.3 = 1 333.3 → 1 333, the unit left to Ben (.6).
    expect(partsOf(o, 'linear')).toEqual({ anna: 333, ben: 667, cleo: 333 });
    expect(partsOf(o, 'first_click')).toEqual({ anna: 1_000 });
    expect(partsOf(o, 'position_based')).toEqual({ anna: 400, ben: 400, cleo: 400 });
  });

  test('the kept lines after a refund are what each model splits', () => {
    const two: OrderLine[] = [{ sku: 'A', quantity: 2, unitPriceMinor: 10_000 }];
    const kept = keptLinesAfter(two, [
      { eventId: 'r1', occurredAt: '2026-11-16T00:00:00.000Z', lines: [{ sku: 'A', quantity: 1 }] },
    ]);
    expect(kept).toEqual(lines);
    expect(partsOf(order({ keptLines: kept }), 'first_click')).toEqual({ anna: 1_000 });
    const cancelled = keptLinesAfter(two, [
      { eventId: 'c', occurredAt: '2026-11-16T00:00:00.000Z', lines: 'all' },
    ]);
    // Nothing kept: still an order of Cleo's under last click, with no commission.
    expect(compareModels([order({ keptLines: cancelled })])[0]).toEqual({
      model: 'last_click',
      currencies: [{ currency: 'USD', orders: 1, commissionMinor: 0 }],
      byInfluencer: [
        { influencerId: 'cleo', currencies: [{ currency: 'USD', orders: 1, commissionMinor: 0 }] },
      ],
    });
  });
});

test('a coupon credits its owner 100 % under every model', () => {
  const entries = compareModels([order({ basis: { kind: 'coupon', influencerId: 'dana' } })]);
  expect(entries.map((e) => e.model)).toEqual([...ATTRIBUTION_MODELS]);
  for (const entry of entries) {
    expect(entry.currencies).toEqual([{ currency: 'USD', orders: 1, commissionMinor: 1_000 }]);
    expect(entry.byInfluencer).toEqual([
      { influencerId: 'dana', currencies: [{ currency: 'USD', orders: 1, commissionMinor: 1_000 }] },
    ]);
  }
});

test('orders are summed per currency and per influencer, currencies and influencers sorted', () => {
  const eur = order({ currency: 'EUR', basis: { kind: 'clicks', candidates: [click('01D', 'ben', 1)] } });
  const linear = compareModels([order(), eur, order()]).find((m) => m.model === 'linear');
  expect(linear?.currencies).toEqual([
    { currency: 'EUR', orders: 1, commissionMinor: 1_000 },
    { currency: 'USD', orders: 2, commissionMinor: 2_000 },
  ]);
  expect(linear?.byInfluencer.map((i) => i.influencerId)).toEqual(['anna', 'ben', 'cleo']);
  expect(linear?.byInfluencer[1]?.currencies).toEqual([
    { currency: 'EUR', orders: 1, commissionMinor: 1_000 },
    { currency: 'USD', orders: 2, commissionMinor: 666 },
  ]);
});

test('a total beyond 2^53 is a RangeError, not a rounded number', () => {
  const huge = order({
    keptLines: [{ sku: 'A', quantity: 1, unitPriceMinor: Number.MAX_SAFE_INTEGER }],
    rates: { defaultBps: 10_000 },
  });
  expect(() => compareModels([huge, huge])).toThrow(RangeError);
});

// ---------------------------------------------------------------- the own model is the real credit

const MERCHANT = 'm1';
const WINDOW_DAYS = 30;
const categories = ['beauty', 'shoes'];
const bpsArb = fc.integer({ min: 0, max: 10_000 });
const ratesArb: fc.Arbitrary<CommissionRates> = fc.record(
  { defaultBps: bpsArb, categoryBps: fc.dictionary(fc.constantFrom(...categories), bpsArb, { maxKeys: 2 }) },
  { requiredKeys: ['defaultBps'] },
);
const influencerIds = Array.from({ length: 25 }, (_, i) => `inf-${i}`);

const orderArb = fc.record({
  model: fc.constantFrom(...ATTRIBUTION_MODELS),
  clicks: fc.array(
    fc.record({
      influencer: fc.integer({ min: 0, max: influencerIds.length - 1 }),
      // Some outside the window, so the candidate filter has work to do.
      ageMs: fc.integer({ min: 0, max: (WINDOW_DAYS + 5) * DAY_MS }),
      otherMerchant: fc.boolean(),
    }),
    { minLength: 0, maxLength: 70 },
  ),
  coupon: fc.option(fc.constantFrom(...influencerIds), { nil: undefined }),
  lines: fc.array(
    fc.record({
      sku: fc.constantFrom('A', 'B', 'C'),
      quantity: fc.integer({ min: 0, max: 20 }),
      unitPriceMinor: fc.integer({ min: 0, max: 10_000_000 }),
      category: fc.option(fc.constantFrom(...categories), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  refunds: fc.array(
    fc.oneof(
      fc.constant('all' as const),
      fc.array(
        fc.record({ sku: fc.constantFrom('A', 'B', 'C'), quantity: fc.integer({ min: 0, max: 25 }) }),
        {
          maxLength: 3,
        },
      ),
    ),
    { maxLength: 3 },
  ),
  orderRates: ratesArb,
  ownRates: fc.dictionary(fc.constantFrom(...influencerIds), ratesArb, { maxKeys: 10 }),
});

type RandomOrder = typeof orderArb extends fc.Arbitrary<infer T> ? T : never;

/** What the worker does at crediting and on refunds, through the real decision and ledger. */
function creditForReal(input: RandomOrder, index: number) {
  const occurredAtMs = ORDER_MS + index * 1_000;
  const visitorClicks: VisitorClick[] = input.clicks.map((c, i) => ({
    clickId: `01J${String(index).padStart(3, '0')}${String(i).padStart(4, '0')}`,
    influencerId: influencerIds[c.influencer] ?? 'inf-0',
    merchantId: c.otherMerchant ? 'other' : MERCHANT,
    occurredAtMs: occurredAtMs - c.ageMs,
    bot: false,
    duplicate: false,
  }));
  const orderClick = visitorClicks[visitorClicks.length - 1];
  const merchant = { attributionModel: input.model, attributionWindowDays: WINDOW_DAYS };
  const decision = decideAttribution({
    order: { merchantId: MERCHANT, occurredAtMs },
    orderClick: orderClick ? { kind: 'found', click: orderClick } : { kind: 'no_click_id' },
    visitorClicks,
    merchant,
    couponOwner: input.coupon ? { influencerId: input.coupon } : undefined,
  });
  if (decision.kind !== 'credited') return undefined;
  const candidates =
    decision.method === 'coupon' || !orderClick
      ? []
      : candidateClicks([orderClick, ...visitorClicks], { merchantId: MERCHANT, occurredAtMs }, WINDOW_DAYS);
  const ownRates = new Map(Object.entries(input.ownRates));
  const refunds: RefundEvent[] = input.refunds.map((lines, i) => ({
    eventId: `r${i}`,
    occurredAt: formatInstant(occurredAtMs + (i + 1) * DAY_MS),
    lines,
  }));
  const plan = planLedger({
    lines: input.lines,
    rates: input.orderRates,
    shares: decision.shares.map((s) => {
      const rates = ownRates.get(s.influencerId);
      return rates ? { ...s, rates } : s;
    }),
    refunds,
    credits: [],
    adjustments: [],
  });
  const comparable: ComparableOrder = {
    currency: index % 2 === 0 ? 'USD' : 'EUR',
    occurredAtMs,
    basis:
      decision.method === 'coupon'
        ? { kind: 'coupon', influencerId: decision.shares[0]?.influencerId ?? '' }
        : {
            kind: 'clicks',
            // As stored on the order and read back.
            candidates: candidates.map((c) => ({
              clickId: c.clickId,
              influencerId: c.influencerId,
              occurredAtMs: Date.parse(formatInstant(c.occurredAtMs)),
            })),
          },
    keptLines: keptLinesAfter(input.lines, refunds),
    rates: input.orderRates,
    ownRates,
  };
  return { model: input.model, plan, comparable };
}

test('property: the entry of the model an order was credited under is its real credit, unit for unit', () => {
  fc.assert(
    fc.property(orderArb, (input) => {
      const real = creditForReal(input, 0);
      if (!real) return;
      const credit = modelCredit(real.comparable, real.model);
      expect(credit.commissionMinor).toBe(real.plan.commissionMinor);
      expect(credit.parts.map((p) => [p.influencerId, p.commissionMinor])).toEqual(
        real.plan.owed.map((o) => [o.influencerId, o.amountMinor]),
      );
    }),
    { numRuns: 300 },
  );
});

test("property: over many orders of one model, that model's totals are the sums of the real credits", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...ATTRIBUTION_MODELS),
      fc.array(orderArb, { minLength: 1, maxLength: 6 }),
      (model, inputs) => {
        const credited = inputs.flatMap((input, i) => creditForReal({ ...input, model }, i) ?? []);
        const entry = compareModels(credited.map((c) => c.comparable)).find((m) => m.model === model);
        const expected = new Map<string, { orders: number; commissionMinor: number }>();
        for (const { plan, comparable } of credited) {
          for (const owed of plan.owed) {
            const key = `${owed.influencerId} ${comparable.currency}`;
            const sum = expected.get(key) ?? { orders: 0, commissionMinor: 0 };
            expected.set(key, {
              orders: sum.orders + 1,
              commissionMinor: sum.commissionMinor + owed.amountMinor,
            });
          }
        }
        const actual = new Map(
          (entry?.byInfluencer ?? []).flatMap((i) =>
            i.currencies.map((c) => [
              `${i.influencerId} ${c.currency}`,
              { orders: c.orders, commissionMinor: c.commissionMinor },
            ]),
          ),
        );
        expect(actual).toEqual(expected);
        const orders = (entry?.currencies ?? []).reduce((n, c) => n + c.orders, 0);
        expect(orders).toBe(credited.length);
      },
    ),
    { numRuns: 150 },
  );
});

// ---------------------------------------------------------------- orders credited before the comparison

describe('orders credited before their roots kept the candidate clicks', () => {
  const legacy: OrderRoot = {
    merchantId: 'm1',
    orderId: 'o-1',
    version: 2,
    status: 'credited',
    currency: 'USD',
    occurredAt: '2026-11-15T12:00:00.000Z',
    lines,
    rates: { defaultBps: 1_000 },
    method: 'linear',
    shares: [{ influencerId: 'anna', weightBps: 10_000, clickId: '01A', clickIds: ['01A'] }],
  };
  const current: OrderRoot = {
    ...legacy,
    candidates: [{ clickId: '01A', influencerId: 'anna', occurredAt: '2026-11-01T12:00:00.000Z' }],
    candidateRates: [],
    keptLines: lines,
  };
  const putItem = (root: OrderRoot) => orderRepo('orders').rootPut(root, root.version).Put?.Item ?? {};

  test('stay out of the index, and are skipped if read', () => {
    expect(putItem(legacy)).not.toHaveProperty('ordersOf');
    expect(putItem({ ...legacy, keptLines: lines })).not.toHaveProperty('orderSort');
    expect(comparableOrder(legacy)).toBeUndefined();
  });

  test('a root that keeps them is indexed by merchant and canonical time, and compared', () => {
    expect(putItem(current)).toMatchObject({ ordersOf: 'm1', orderSort: '2026-11-15T12:00:00.000Z#o-1' });
    expect(putItem({ ...current, status: 'unattributed' })).not.toHaveProperty('ordersOf');
    expect(comparableOrder(current)?.basis).toEqual({
      kind: 'clicks',
      candidates: [
        { clickId: '01A', influencerId: 'anna', occurredAtMs: Date.parse('2026-11-01T12:00:00.000Z') },
      ],
    });
    expect(comparableOrder({ ...current, method: 'coupon', candidates: [] })?.basis).toEqual({
      kind: 'coupon',
      influencerId: 'anna',
    });
  });
});
