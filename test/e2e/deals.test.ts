/**
 * End to end, over real HTTP against `npm start`: programs and deals (CONTRACT §10). A linear
 * merchant enrolls anna on her own rate with a flat fee and ben on the merchant's rate; one visitor
 * clicks both their links and orders; then the fee is paid by the right period's run, the merchant
 * report shows what each creator returned on everything it was paid, and the model comparison's
 * own-model row is what was really credited.
 *
 * The tests run in order and build on each other.
 */
import { z } from 'zod';
import {
  clickThrough,
  createInfluencer,
  createLink,
  createMerchant,
  postWebhook,
  SHOP_DOMAIN,
  waitForOrder,
} from '../support/e2e-fixtures';
import {
  AdminClient,
  BROWSER_UA,
  bodyOf,
  errorBodySchema,
  HttpClient,
  type OrderView,
  payoutRunSchema,
  pollUntil,
  uniqueId,
} from '../support/e2e-http';
import { type E2eRuntime, removeDataDir, startRuntime } from '../support/e2e-runtime';

let runtime: E2eRuntime;
let admin: AdminClient;
let shop: HttpClient;

/** linear, 10 % on everything, no hold. */
let merchantId: string;
let secret: string;
/** 20 % of her own, and a launch fee of 500.00 due in October 2026. */
let anna: string;
/** The merchant's 10 %. */
let ben: string;

const LAUNCH_FEE = {
  feeId: 'launch-post',
  amountMinor: 50_000,
  dueAt: '2026-10-15T09:00:00.000Z',
  memo: 'Launch post, October',
};

const enrollmentPath = (influencerId: string) => `/admin/merchants/${merchantId}/influencers/${influencerId}`;
const today = () => new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  runtime = await startRuntime();
  admin = new AdminClient(runtime.baseUrl, runtime.adminToken);
  shop = new HttpClient(runtime.baseUrl);
  const merchant = await createMerchant(admin, {
    attributionModel: 'linear',
    holdDays: 0,
    commission: { defaultBps: 1000 },
  });
  merchantId = merchant.merchantId;
  secret = merchant.webhookSecret;
  anna = (await createInfluencer(admin)).influencerId;
  ben = (await createInfluencer(admin)).influencerId;
}, 90_000);

afterAll(async () => {
  if (!runtime) return;
  await runtime.stop('SIGKILL');
  removeDataDir(runtime.dataDir);
}, 30_000);

const enrollmentSchema = z.looseObject({
  merchantId: z.string(),
  influencerId: z.string(),
  terms: z.looseObject({}),
  enrolledAt: z.string(),
});

describe('enrollment', () => {
  test('PUT enrolls anna on her own rate and a flat fee; ben is enrolled by his first link', async () => {
    const res = await admin.put(enrollmentPath(anna), {
      terms: { commission: { defaultBps: 2000 }, flatFees: [LAUNCH_FEE] },
    });
    expect(res.status).toBe(200);
    expect(bodyOf(res, enrollmentSchema)).toMatchObject({
      merchantId,
      influencerId: anna,
      terms: { commission: { defaultBps: 2000 }, flatFees: [LAUNCH_FEE] },
    });
    expect((await admin.get(enrollmentPath(ben))).status).toBe(404);
  });
});

let order: OrderView;
let annaLink: string;
let benLink: string;
const orderId = uniqueId('deal');
// One line of 100.01: anna's exact share 10 001 × 20 % × ½ = 1 000.1, ben's 10 001 × 10 % × ½ = 500.05.
const LINE = { sku: 'SERUM', quantity: 1, unitPriceMinor: 10_001 };

describe('two influencers on different rates in one linear order', () => {
  test("each is credited at its own rate; the parts add up to the order's commission", async () => {
    const link = async (influencerId: string) =>
      (
        await createLink(admin, {
          code: uniqueId('deal'),
          influencerId,
          merchantId,
          targetUrl: `https://${SHOP_DOMAIN}/products/serum`,
        })
      ).code;
    annaLink = await link(anna);
    benLink = await link(ben);
    // The link enrolled ben, with no terms of his own.
    expect(bodyOf(await admin.get(enrollmentPath(ben)), enrollmentSchema).terms).toEqual({});

    const shopper = new HttpClient(runtime.baseUrl, { 'user-agent': BROWSER_UA });
    await clickThrough(shopper, annaLink);
    const lastClick = await clickThrough(shopper, benLink);
    const res = await postWebhook(shop, merchantId, secret, {
      type: 'order.created',
      orderId,
      occurredAt: new Date().toISOString(),
      currency: 'USD',
      clickId: lastClick,
      lines: [LINE],
    });
    expect(res.status).toBe(202);
    order = await waitForOrder(admin, merchantId, orderId);
    // Σ exact shares 1 500.15 → 1 500, split by largest remainder: 1 000 + 500.
    expect(order).toMatchObject({ status: 'credited', amountMinor: 10_001, commissionMinor: 1500 });
    const credited = Object.fromEntries(order.attributions.map((a) => [a.influencerId, a]));
    expect(credited[anna]).toMatchObject({ weightBps: 5000, commissionMinor: 1000 });
    expect(credited[ben]).toMatchObject({ weightBps: 5000, commissionMinor: 500 });
  });
});

describe('the flat fee', () => {
  const runPeriod = async (period: string) => {
    const res = await admin.post('/admin/payouts/runs', { period });
    expect(res.status).toBe(200);
    return bodyOf(res, payoutRunSchema).payouts.filter((p) => p.influencerId === anna);
  };

  test('is not paid by a run whose cut-off is before its dueAt', async () => {
    expect(await runPeriod('2026-09')).toEqual([]);
  });

  test("is paid by the first run whose cut-off is after its dueAt, as one item of anna's payout", async () => {
    expect(await runPeriod('2026-10')).toEqual([
      expect.objectContaining({ currency: 'USD', amountMinor: 50_000, items: 1, status: 'payable' }),
    ]);
    const statement = await admin.get(`/admin/payouts/${anna}/2026-10/statement.csv`);
    expect(statement.status).toBe(200);
    const feeLine = statement.text.split('\n').find((line) => line.includes(LAUNCH_FEE.memo));
    expect(feeLine).toContain('50000');
  });

  test('once paid it cannot change (409 fee_paid, nothing written); the terms around it can', async () => {
    const changed = await admin.put(enrollmentPath(anna), {
      terms: { commission: { defaultBps: 2000 }, flatFees: [{ ...LAUNCH_FEE, amountMinor: 60_000 }] },
    });
    expect(changed.status).toBe(409);
    expect(bodyOf(changed, errorBodySchema).error.code).toBe('fee_paid');
    const dropped = await admin.put(enrollmentPath(anna), { terms: { commission: { defaultBps: 2000 } } });
    expect(dropped.status).toBe(409);
    const kept = bodyOf(await admin.get(enrollmentPath(anna)), enrollmentSchema);
    expect(kept.terms).toEqual({ commission: { defaultBps: 2000 }, flatFees: [LAUNCH_FEE] });

    const bonus = { feeId: 'bonus', amountMinor: 1500, dueAt: '2026-11-20T00:00:00.000Z' };
    const extended = await admin.put(enrollmentPath(anna), {
      terms: { commission: { defaultBps: 2000 }, flatFees: [LAUNCH_FEE, bonus] },
    });
    expect(extended.status).toBe(200);
  });
});

const figuresSchema = z.looseObject({
  currency: z.string(),
  orders: z.number(),
  revenueMinor: z.number(),
  commissionMinor: z.number(),
  flatFeesMinor: z.number(),
  spendMinor: z.number(),
  returnOnSpendBps: z.number().nullable(),
});
const merchantReportSchema = z.looseObject({
  currencies: z.array(figuresSchema),
  byInfluencer: z.array(z.looseObject({ influencerId: z.string(), currencies: z.array(figuresSchema) })),
});

describe('the merchant report: return on everything each creator was paid', () => {
  test('spend is commission plus the fees due in the range; ROI is ⌊revenue × 10 000 / spend⌋', async () => {
    const path = `/admin/reports/merchants/${merchantId}?from=2026-10-01&to=${today()}`;
    const report = await pollUntil(
      async () => bodyOf(await admin.get(path), merchantReportSchema),
      (r) => r.currencies[0]?.orders === 1 && r.currencies[0].flatFeesMinor === 51_500,
      20_000,
      200,
    );
    // Fees in range: the launch fee and the November bonus.
    expect(report.currencies).toEqual([
      expect.objectContaining({
        currency: 'USD',
        orders: 1,
        revenueMinor: 10_001,
        commissionMinor: 1500,
        flatFeesMinor: 51_500,
        spendMinor: 53_000,
        returnOnSpendBps: Math.floor((10_001 * 10_000) / 53_000),
      }),
    ]);
    const of = (influencerId: string) =>
      report.byInfluencer.find((row) => row.influencerId === influencerId)?.currencies[0];
    const annaFigures = of(anna);
    const benFigures = of(ben);
    expect(annaFigures).toMatchObject({ commissionMinor: 1000, flatFeesMinor: 51_500, spendMinor: 52_500 });
    expect(benFigures).toMatchObject({ commissionMinor: 500, flatFeesMinor: 0, spendMinor: 500 });
    // The revenue is split by weight, exactly.
    expect((annaFigures?.revenueMinor ?? 0) + (benFigures?.revenueMinor ?? 0)).toBe(10_001);
    for (const figures of [annaFigures, benFigures]) {
      expect(figures?.returnOnSpendBps).toBe(
        Math.floor(((figures?.revenueMinor ?? 0) * 10_000) / (figures?.spendMinor ?? 1)),
      );
    }
  });

  test('a range with no commission and no fees has no return on spend (null), not a division by zero', async () => {
    const res = await admin.get(`/admin/reports/merchants/${merchantId}?from=2026-01-01&to=2026-01-31`);
    expect(res.status).toBe(200);
    const report = bodyOf(res, merchantReportSchema);
    for (const figures of report.currencies) expect(figures.returnOnSpendBps).toBeNull();
  });
});

const modelFiguresSchema = z.looseObject({
  currency: z.string(),
  orders: z.number(),
  commissionMinor: z.number(),
});
const comparisonSchema = z.looseObject({
  merchantId: z.string(),
  models: z.array(
    z.looseObject({
      model: z.string(),
      currencies: z.array(modelFiguresSchema),
      byInfluencer: z.array(
        z.looseObject({ influencerId: z.string(), currencies: z.array(modelFiguresSchema) }),
      ),
    }),
  ),
});

describe('the model comparison', () => {
  test("the merchant's own model equals what was credited; the others show what each creator would have earned", async () => {
    const path = `/admin/reports/merchants/${merchantId}/attribution-models?from=${today()}&to=${today()}`;
    // Read from an index, which may lag the order's crediting by a moment.
    const { models } = await pollUntil(
      async () => bodyOf(await admin.get(path), comparisonSchema),
      (c) => c.models.some((m) => m.model === 'linear' && m.currencies[0]?.orders === 1),
      20_000,
      200,
    );
    expect(models.map((m) => m.model).sort()).toEqual(
      ['first_click', 'last_click', 'linear', 'position_based', 'time_decay'].sort(),
    );
    const byModel = Object.fromEntries(
      models.map((m) => [
        m.model,
        Object.fromEntries(
          m.byInfluencer.map((row) => [row.influencerId, row.currencies[0]?.commissionMinor]),
        ),
      ]),
    );
    const credited = Object.fromEntries(order.attributions.map((a) => [a.influencerId, a.commissionMinor]));
    expect(byModel.linear).toEqual(credited);
    // Last click: ben alone, at his 10 %; first click: anna alone, at her 20 %.
    expect(byModel.last_click).toEqual({ [ben]: 1000 });
    expect(byModel.first_click).toEqual({ [anna]: 2000 });
    const linear = models.find((m) => m.model === 'linear');
    expect(linear?.currencies).toEqual([{ currency: 'USD', orders: 1, commissionMinor: 1500 }]);
  });
});

describe('a change of terms', () => {
  test('applies to orders credited after it; an order credited before keeps its terms', async () => {
    const res = await admin.put(enrollmentPath(anna), {
      terms: { commission: { defaultBps: 3000 }, flatFees: [LAUNCH_FEE] },
    });
    // The November bonus is unpaid, so dropping it is allowed.
    expect(res.status).toBe(200);
    const shopper = new HttpClient(runtime.baseUrl, { 'user-agent': BROWSER_UA });
    const clickId = await clickThrough(shopper, annaLink);
    const laterId = uniqueId('deal');
    const sent = await postWebhook(shop, merchantId, secret, {
      type: 'order.created',
      orderId: laterId,
      occurredAt: new Date().toISOString(),
      currency: 'USD',
      clickId,
      lines: [{ sku: 'SERUM', quantity: 1, unitPriceMinor: 10_000 }],
    });
    expect(sent.status).toBe(202);
    const later = await waitForOrder(admin, merchantId, laterId);
    expect(later.attributions).toEqual([
      expect.objectContaining({ influencerId: anna, commissionMinor: 3000 }),
    ]);
    expect(await waitForOrder(admin, merchantId, orderId)).toEqual(order);
  });

  test('DELETE ends an enrollment (204, then 404); the links it made keep working', async () => {
    expect((await admin.delete(enrollmentPath(ben))).status).toBe(204);
    expect((await admin.get(enrollmentPath(ben))).status).toBe(404);
    const res = await new HttpClient(runtime.baseUrl, { 'user-agent': BROWSER_UA }).get(`/${benLink}`);
    expect(res.status).toBe(302);
  });
});
