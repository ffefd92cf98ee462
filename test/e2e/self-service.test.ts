/**
 * End to end, over real HTTP against `npm start`: a merchant and an influencer on their own API
 * keys (CONTRACT §11). The merchant enrolls the influencer with a flat fee; the influencer makes a
 * link for it (and for no other merchant), disables and enables it, curates a storefront; a shopper
 * buys through the link; the merchant reads its order, program and reports; the influencer reads
 * its credits, its report, its payouts and the statement of the period that paid them.
 *
 * The tests run in order and build on each other.
 */
import { z } from 'zod';
import {
  clickThrough,
  createInfluencer,
  createMerchant,
  postWebhook,
  SHOP_DOMAIN,
} from '../support/e2e-fixtures';
import {
  AdminClient,
  BROWSER_UA,
  bodyOf,
  errorBodySchema,
  HttpClient,
  linkSchema,
  orderViewSchema,
  pollUntil,
  uniqueId,
} from '../support/e2e-http';
import { type E2eRuntime, removeDataDir, startRuntime } from '../support/e2e-runtime';

let runtime: E2eRuntime;
let admin: AdminClient;
/** The merchant's and the influencer's own clients, each with its key. */
let merchantApi: AdminClient;
let otherMerchantApi: AdminClient;
let influencerApi: AdminClient;
let merchantId: string;
let otherMerchantId: string;
let secret: string;
let influencerId: string;
let code: string;
const orderId = uniqueId('self');
/** Due yesterday: older than the order, and paid by this month's run. */
const FEE = {
  feeId: 'intro-video',
  amountMinor: 2_500,
  dueAt: new Date(Math.floor(Date.now() / 1000) * 1000 - 86_400_000).toISOString(),
};
const today = () => new Date().toISOString().slice(0, 10);
const thisPeriod = () => new Date().toISOString().slice(0, 7);

const keySchema = z.looseObject({ apiKey: z.string() });
const newKey = async (path: string) => {
  const res = await admin.post(path, { name: 'e2e' });
  expect(res.status).toBe(201);
  return bodyOf(res, keySchema).apiKey;
};

beforeAll(async () => {
  runtime = await startRuntime();
  admin = new AdminClient(runtime.baseUrl, runtime.adminToken);
  const merchant = await createMerchant(admin, { holdDays: 0, commission: { defaultBps: 1000 } });
  merchantId = merchant.merchantId;
  secret = merchant.webhookSecret;
  otherMerchantId = (await createMerchant(admin)).merchantId;
  influencerId = (await createInfluencer(admin)).influencerId;
  merchantApi = new AdminClient(runtime.baseUrl, await newKey(`/admin/merchants/${merchantId}/api-keys`));
  otherMerchantApi = new AdminClient(
    runtime.baseUrl,
    await newKey(`/admin/merchants/${otherMerchantId}/api-keys`),
  );
  influencerApi = new AdminClient(
    runtime.baseUrl,
    await newKey(`/admin/influencers/${influencerId}/api-keys`),
  );
}, 90_000);

afterAll(async () => {
  if (!runtime) return;
  await runtime.stop('SIGKILL');
  removeDataDir(runtime.dataDir);
}, 30_000);

test('the merchant enrolls the influencer with a flat fee, and sees it in its program', async () => {
  const put = await merchantApi.put(`/v1/merchant/influencers/${influencerId}`, {
    terms: { flatFees: [FEE] },
  });
  expect(put.status).toBe(200);
  expect(put.json()).toMatchObject({ merchantId, influencerId, terms: { flatFees: [FEE] } });
  const program = await merchantApi.get('/v1/merchant/influencers');
  expect(program.status).toBe(200);
  expect(
    (program.json() as { items: Array<{ influencerId: string }> }).items.map((e) => e.influencerId),
  ).toEqual([influencerId]);
  // Another merchant's program does not have it.
  expect((await otherMerchantApi.get(`/v1/merchant/influencers/${influencerId}`)).status).toBe(404);
});

test('the influencer makes a link for that merchant only, and disables and enables it', async () => {
  const made = await influencerApi.post('/v1/me/links', {
    merchantId,
    targetUrl: `https://${SHOP_DOMAIN}/products/serum`,
    campaign: 'winter',
  });
  expect(made.status).toBe(201);
  const link = bodyOf(made, linkSchema);
  expect(link).toMatchObject({ influencerId, merchantId, campaign: 'winter' });
  code = link.code;
  const elsewhere = await influencerApi.post('/v1/me/links', {
    merchantId: otherMerchantId,
    targetUrl: `https://${SHOP_DOMAIN}/products/serum`,
  });
  expect(elsewhere.status).toBe(404);
  expect(bodyOf(elsewhere, errorBodySchema).error.code).toBe('not_found');

  const shopper = new HttpClient(runtime.baseUrl, { 'user-agent': BROWSER_UA });
  expect((await influencerApi.patch(`/v1/me/links/${code}`, { disabled: true })).status).toBe(200);
  // A change to a link takes effect within 5 seconds.
  const gone = await pollUntil(
    () => shopper.head(`/${code}`),
    (res) => res.status === 410,
    10_000,
  );
  expect(gone.status).toBe(410);
  expect((await influencerApi.patch(`/v1/me/links/${code}`, { disabled: false })).status).toBe(200);
  const back = await pollUntil(
    () => shopper.head(`/${code}`),
    (res) => res.status === 302,
    10_000,
  );
  expect(back.status).toBe(302);
});

test('the influencer curates a storefront of its own link', async () => {
  const handle = uniqueId('front');
  const put = await influencerApi.put(`/v1/me/storefronts/${handle}`, {
    title: 'Winter picks',
    items: [{ code, title: 'Serum' }],
  });
  expect(put.status).toBe(200);
  expect((await influencerApi.get(`/v1/me/storefronts/${handle}`)).json()).toMatchObject({
    handle,
    influencerId,
    title: 'Winter picks',
  });
  const page = await new HttpClient(runtime.baseUrl, { 'user-agent': BROWSER_UA }).get(`/s/${handle}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('Winter picks');
});

test('a shopper buys through the link; the merchant reads its own order, another merchant cannot', async () => {
  const shopper = new HttpClient(runtime.baseUrl, { 'user-agent': BROWSER_UA });
  const clickId = await clickThrough(shopper, code);
  const res = await postWebhook(new HttpClient(runtime.baseUrl), merchantId, secret, {
    type: 'order.created',
    orderId,
    occurredAt: new Date().toISOString(),
    currency: 'USD',
    clickId,
    lines: [{ sku: 'SERUM', quantity: 2, unitPriceMinor: 2_500 }],
  });
  expect(res.status).toBe(202);
  const view = await pollUntil(
    async () => bodyOf(await merchantApi.get(`/v1/merchant/orders/${orderId}`), orderViewSchema),
    (order) => order.status !== 'pending',
    20_000,
    100,
  );
  expect(view).toMatchObject({ orderId, status: 'credited', amountMinor: 5_000, commissionMinor: 500 });
  expect(view.attributions).toEqual([expect.objectContaining({ influencerId, commissionMinor: 500 })]);
  expect((await otherMerchantApi.get(`/v1/merchant/orders/${orderId}`)).status).toBe(404);
});

test('the influencer checks each cent: its credit and its fee, newest first', async () => {
  const res = await influencerApi.get('/v1/me/credits');
  expect(res.status).toBe(200);
  const body = res.json() as { items: Array<Record<string, unknown>>; nextCursor?: string };
  expect(body.nextCursor).toBeUndefined();
  expect(body.items).toEqual([
    expect.objectContaining({
      merchantId,
      orderId,
      currency: 'USD',
      commissionMinor: 500,
      status: 'unpaid',
      method: 'last_click',
    }),
    expect.objectContaining({
      merchantId,
      orderId: FEE.feeId,
      occurredAt: FEE.dueAt,
      commissionMinor: 2_500,
      method: 'flat_fee',
    }),
  ]);
  expect((await influencerApi.get('/v1/me/credits?cursor=bm9wZQ')).status).toBe(400);
});

test('the merchant reads its reports and its model comparison; the influencer its own report', async () => {
  const from = FEE.dueAt.slice(0, 10);
  const range = `from=${from}&to=${today()}`;
  const report = await pollUntil(
    async () => (await merchantApi.get(`/v1/merchant/reports?${range}`)).json() as Record<string, unknown>,
    (body) => JSON.stringify(body).includes('"orders":1'),
    15_000,
  );
  expect(report).toMatchObject({ merchantId, from });
  const models = await merchantApi.get(`/v1/merchant/reports/attribution-models?${range}`);
  expect(models.status).toBe(200);
  expect((models.json() as { models: unknown[] }).models).toHaveLength(5);
  const mine = await pollUntil(
    async () => (await influencerApi.get(`/v1/me/report?${range}`)).json() as { clicks?: number },
    (body) => (body.clicks ?? 0) >= 1,
    15_000,
  );
  expect(mine).toMatchObject({ influencerId });
});

test('after the run of this period the influencer sees its payout, paid items and statement', async () => {
  const period = thisPeriod();
  expect((await admin.post('/admin/payouts/runs', { period })).status).toBe(200);
  const payouts = await influencerApi.get('/v1/me/payouts');
  expect(payouts.status).toBe(200);
  expect((payouts.json() as { items: unknown[] }).items).toEqual([
    expect.objectContaining({
      period,
      influencerId,
      currency: 'USD',
      amountMinor: 3_000,
      items: 2,
      status: 'payable',
    }),
  ]);
  const statement = await pollUntil(
    () => influencerApi.get(`/v1/me/payouts/${period}/statement.csv`),
    (res) => res.status !== 503,
    10_000,
  );
  expect(statement.status).toBe(200);
  expect(statement.headers.get('content-type')).toContain('text/csv');
  expect(statement.text).toContain(orderId);
  const credits = (await influencerApi.get('/v1/me/credits')).json() as { items: Array<{ status: string }> };
  expect(credits.items.map((item) => item.status)).toEqual(['paid', 'paid']);
  // The admin token is not a party's key.
  expect((await admin.get('/v1/me/payouts')).status).toBe(403);
});
