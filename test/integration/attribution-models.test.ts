/**
 * The attribution model comparison (CONTRACT §10) on the real stand-ins: clicks through the redirect
 * handler, orders and a refund through the signed webhook and the attribution worker, one
 * influencer on terms of its own; then the comparison through the reports handler. The entry of the
 * merchant's own model equals the credits read back through the order view, another model differs,
 * and the day range and the merchant are validated as for the merchant report.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { QueuePoller } from '../../lib/local/queues';
import { sdkLocal } from '../../lib/local/stores';
import { context, httpEvent, redirectEvent } from '../support/events';
import { type HttpHandler, pollQueue, type SqsHandler, waitFor } from '../support/handlers';
import { useTestStores } from '../support/stores';
import { webhookEvent } from '../support/webhooks';

const MERCHANT = 'models-shop';
const VISITOR = 'visitor-models-000000001';

let admin: HttpHandler;
let redirect: HttpHandler;
let ingest: HttpHandler;
let reports: HttpHandler;
let sqs: SQSClient;
let poller: QueuePoller | undefined;
let secret = '';

async function call(handler: HttpHandler, input: Parameters<typeof httpEvent>[0]) {
  const res = await handler(httpEvent(input), context());
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}
const adminCall = (method: string, route: string, body?: unknown, pathParameters?: Record<string, string>) =>
  call(admin, { method, route, body, admin: true, ...(pathParameters ? { pathParameters } : {}) });

async function clickThrough(code: string): Promise<string> {
  const res = await redirect(redirectEvent(code, VISITOR), context());
  expect(res.statusCode).toBe(302);
  return new URL(res.headers?.location ?? '').searchParams.get('clk') ?? '';
}

async function send(event: Record<string, unknown>) {
  const res = await ingest(webhookEvent(MERCHANT, secret, event), context());
  expect(res.statusCode).toBe(202);
}

const orderView = (orderId: string) =>
  adminCall('GET', '/admin/orders/{merchantId}/{orderId}', undefined, { merchantId: MERCHANT, orderId });

const comparison = (query: string, merchantId = MERCHANT) =>
  call(reports, {
    method: 'GET',
    route: '/admin/reports/merchants/{merchantId}/attribution-models',
    pathParameters: { merchantId },
    query,
    admin: true,
  });

type Figures = { currency: string; orders: number; commissionMinor: number };
type Entry = {
  model: string;
  currencies: Figures[];
  byInfluencer: Array<{ influencerId: string; currencies: Figures[] }>;
};

beforeAll(async () => {
  const stores = await useTestStores('attrmodels');
  sqs = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  admin = (await import('../../functions/admin/handler')).handler as unknown as HttpHandler;
  redirect = (await import('../../functions/redirect/handler')).handler as unknown as HttpHandler;
  ingest = (await import('../../functions/ingest/handler')).handler as unknown as HttpHandler;
  reports = (await import('../../functions/reports/handler')).handler as unknown as HttpHandler;
  const attribution = (await import('../../functions/attribution/handler')).handler as unknown as SqsHandler;
  poller = pollQueue(sqs, stores.queues.orders, 'orders', attribution);
  const merchant = await adminCall('POST', '/admin/merchants', {
    merchantId: MERCHANT,
    name: 'Models',
    allowedDomains: ['shop.example.com'],
    currency: 'USD',
    attributionModel: 'linear',
    commission: { defaultBps: 1_000 },
  });
  expect(merchant.status).toBe(201);
  secret = merchant.body.webhookSecret;
  for (const id of ['anna', 'ben', 'cleo']) {
    const influencer = { influencerId: id, handle: id, name: id, couponCodes: [`${id.toUpperCase()}10`] };
    expect((await adminCall('POST', '/admin/influencers', influencer)).status).toBe(201);
    const link = {
      code: `${id}-models`,
      influencerId: id,
      merchantId: MERCHANT,
      targetUrl: 'https://shop.example.com/p',
    };
    expect((await adminCall('POST', '/admin/links', link)).status).toBe(201);
  }
  // Anna on 20 % of her own; Ben and Cy on the merchant's 10 %.
  const terms = { terms: { commission: { defaultBps: 2_000 } } };
  expect(
    (
      await adminCall('PUT', '/admin/merchants/{merchantId}/influencers/{influencerId}', terms, {
        merchantId: MERCHANT,
        influencerId: 'anna',
      })
    ).status,
  ).toBe(200);
});

afterAll(async () => {
  await poller?.stop();
  sqs.destroy();
});

test('the own model equals the real credits, another model differs, over clicks, a coupon and a refund', async () => {
  await clickThrough('anna-models');
  await clickThrough('ben-models');
  const lastClick = await clickThrough('cleo-models');
  const at = (ms: number) => new Date(Date.now() + ms).toISOString();
  await send({
    type: 'order.created',
    orderId: 'M-1',
    occurredAt: at(1_000),
    currency: 'USD',
    clickId: lastClick,
    lines: [{ sku: 'A', quantity: 3, unitPriceMinor: 10_000 }],
  });
  await send({
    type: 'order.created',
    orderId: 'M-2',
    occurredAt: at(1_000),
    currency: 'USD',
    couponCode: 'ben10',
    lines: [{ sku: 'B', quantity: 1, unitPriceMinor: 5_000 }],
  });
  for (const id of ['M-1', 'M-2'])
    await waitFor(
      () => orderView(id),
      (o) => o.body?.status === 'credited',
    );
  await send({
    type: 'order.refunded',
    orderId: 'M-1',
    occurredAt: at(2_000),
    lines: [{ sku: 'A', quantity: 1 }],
  });
  const m1 = await waitFor(
    () => orderView('M-1'),
    (o) => o.body?.amountMinor === 20_000,
  );
  const m2 = await orderView('M-2');

  // What was really credited, per influencer, from the order view.
  const real = new Map<string, { orders: number; commissionMinor: number }>();
  for (const view of [m1, m2]) {
    for (const a of view.body.attributions as Array<{ influencerId: string; commissionMinor: number }>) {
      const sum = real.get(a.influencerId) ?? { orders: 0, commissionMinor: 0 };
      real.set(a.influencerId, {
        orders: sum.orders + 1,
        commissionMinor: sum.commissionMinor + a.commissionMinor,
      });
    }
  }
  // Linear thirds of 200.00 kept: exact 13.336 (Anna, 20 % × 3 334 bps), 6.666 and 6.666 (10 % ×
  // 3 333): 26.668 rounds to 26.67, the two units left go to the earlier equal remainders. The
  // coupon order: Ben 10 % of 50.00.
  expect(Object.fromEntries(real)).toEqual({
    anna: { orders: 1, commissionMinor: 1_334 },
    ben: { orders: 2, commissionMinor: 667 + 500 },
    cleo: { orders: 1, commissionMinor: 666 },
  });

  const today = new Date().toISOString().slice(0, 10);
  const res = await comparison(`from=${today}&to=${today}`);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    merchantId: MERCHANT,
    from: today,
    to: today,
    attributionModel: 'linear',
  });
  const entries = res.body.models as Entry[];
  expect(entries.map((e) => e.model)).toEqual([
    'last_click',
    'first_click',
    'linear',
    'time_decay',
    'position_based',
  ]);
  const byModel = new Map(entries.map((e) => [e.model, e]));
  const usdOf = (entry: Entry | undefined) =>
    Object.fromEntries(
      (entry?.byInfluencer ?? []).map((i) => [
        i.influencerId,
        { orders: i.currencies[0]?.orders, commissionMinor: i.currencies[0]?.commissionMinor },
      ]),
    );

  const linear = byModel.get('linear');
  expect(usdOf(linear)).toEqual(Object.fromEntries(real));
  expect(linear?.currencies).toEqual([
    { currency: 'USD', orders: 2, commissionMinor: m1.body.commissionMinor + m2.body.commissionMinor },
  ]);

  // Last click: Cleo takes the click order (10 % of 200.00), Ben keeps his coupon order.
  expect(usdOf(byModel.get('last_click'))).toEqual({
    ben: { orders: 1, commissionMinor: 500 },
    cleo: { orders: 1, commissionMinor: 2_000 },
  });
  // First click: Anna, on her own 20 %.
  expect(usdOf(byModel.get('first_click'))).toEqual({
    anna: { orders: 1, commissionMinor: 4_000 },
    ben: { orders: 1, commissionMinor: 500 },
  });

  // A range without these orders has nothing in any model.
  const tomorrow = new Date(Date.parse(today) + 86_400_000).toISOString().slice(0, 10);
  const empty = await comparison(`from=${tomorrow}&to=${tomorrow}`);
  expect(empty.status).toBe(200);
  for (const entry of empty.body.models as Entry[])
    expect(entry).toMatchObject({ currencies: [], byInfluencer: [] });
});

test('the day range is validated as for the merchant report, and an unknown merchant is a 404', async () => {
  const backwards = await comparison('from=2026-11-10&to=2026-11-01');
  expect(backwards.status).toBe(400);
  expect(backwards.body.error.code).toBe('invalid_query');
  const notADay = await comparison('from=2026-02-30');
  expect(notADay.status).toBe(400);
  expect(notADay.body.error.issues[0].path).toBe('from');
  const unknown = await comparison('', 'no-such-shop');
  expect(unknown.status).toBe(404);
  expect(unknown.body.error.code).toBe('not_found');
});

test('a candidate who was not credited is compared on the terms it had at the crediting, not later ones', async () => {
  // A last-click merchant: Anna's click earns her nothing, yet first click must use her own rate.
  const merchant = await adminCall('POST', '/admin/merchants', {
    merchantId: 'models-last',
    name: 'Models last click',
    allowedDomains: ['shop.example.com'],
    currency: 'USD',
    commission: { defaultBps: 1_000 },
  });
  expect(merchant.status).toBe(201);
  const lastSecret = merchant.body.webhookSecret;
  for (const id of ['anna', 'cleo']) {
    const link = {
      code: `${id}-last`,
      influencerId: id,
      merchantId: 'models-last',
      targetUrl: 'https://shop.example.com/q',
    };
    expect((await adminCall('POST', '/admin/links', link)).status).toBe(201);
  }
  const putTerms = (defaultBps: number) =>
    adminCall(
      'PUT',
      '/admin/merchants/{merchantId}/influencers/{influencerId}',
      { terms: { commission: { defaultBps } } },
      { merchantId: 'models-last', influencerId: 'anna' },
    );
  expect((await putTerms(3_000)).status).toBe(200);
  await clickThrough('anna-last');
  const cleoClick = await clickThrough('cleo-last');
  const res = await ingest(
    webhookEvent('models-last', lastSecret, {
      type: 'order.created',
      orderId: 'L-1',
      occurredAt: new Date(Date.now() + 1_000).toISOString(),
      currency: 'USD',
      clickId: cleoClick,
      lines: [{ sku: 'A', quantity: 1, unitPriceMinor: 10_000 }],
    }),
    context(),
  );
  expect(res.statusCode).toBe(202);
  const view = await waitFor(
    () =>
      adminCall('GET', '/admin/orders/{merchantId}/{orderId}', undefined, {
        merchantId: 'models-last',
        orderId: 'L-1',
      }),
    (o) => o.body?.status === 'credited',
  );
  expect(view.body.attributions).toMatchObject([{ influencerId: 'cleo', commissionMinor: 1_000 }]);
  // Terms changed after the crediting do not reach this order.
  expect((await putTerms(5_000)).status).toBe(200);

  const today = new Date().toISOString().slice(0, 10);
  const compared = await comparison(`from=${today}&to=${today}`, 'models-last');
  expect(compared.status).toBe(200);
  const entries = compared.body.models as Entry[];
  expect(compared.body.attributionModel).toBe('last_click');
  expect(entries.find((e) => e.model === 'last_click')?.byInfluencer).toEqual([
    { influencerId: 'cleo', currencies: [{ currency: 'USD', orders: 1, commissionMinor: 1_000 }] },
  ]);
  expect(entries.find((e) => e.model === 'first_click')?.byInfluencer).toEqual([
    { influencerId: 'anna', currencies: [{ currency: 'USD', orders: 1, commissionMinor: 3_000 }] },
  ]);
});
