/**
 * End to end, over real HTTP against `npm start` (CONTRACT §12): event endpoints registered with the
 * admin API, a receiver on 127.0.0.1 that checks every delivery with the Standard Webhooks library,
 * and the whole path behind it: a signed order webhook, attribution, the orders and payouts
 * streams, the events function, the deliveries queue and the delivery function.
 *
 * The runtime's retry schedule is shortened (`DELIVERY_RETRY_DELAYS_SECONDS=1,1,1`, which `npm
 * start` hands to its functions like any other variable of its environment), so that a receiver
 * failing twice is retried within seconds.
 *
 * The last tests `kill -9` the whole process group and start again on the same DATA_DIR: the SQS
 * emulator keeps its messages in memory, so what was on its way must be found again from the tables.
 *
 * The tests run in order and build on each other.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { createInfluencer, createMerchant, postWebhook } from '../support/e2e-fixtures';
import {
  AdminClient,
  bodyOf,
  HttpClient,
  payoutRunSchema,
  pollUntil,
  uniqueId,
  webhookAcceptedSchema,
} from '../support/e2e-http';
import { type E2eRuntime, removeDataDir, startRuntime } from '../support/e2e-runtime';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Delivered {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

const RUNTIME_ENV = { DELIVERY_RETRY_DELAYS_SECONDS: '1,1,1' };

let runtime: E2eRuntime;
let admin: AdminClient;
/** The merchants' shops posting order webhooks. */
let shopHttp: HttpClient;
let receiver: Server;
let origin = '';
const received: Received[] = [];
/** Answers per path, used up in order; then 200. `hold` keeps the request open, never answered. */
const scripted = new Map<string, Array<number | 'hold'>>();
const held: ServerResponse[] = [];

let shop: { merchantId: string; secret: string };
let otherShop: { merchantId: string; secret: string };
let anna: { influencerId: string; coupon: string };
let ben: { influencerId: string; coupon: string };

const endpointCreatedSchema = z.looseObject({
  endpointId: z.string().min(1),
  url: z.string(),
  events: z.array(z.string()),
  secret: z.string().startsWith('whsec_'),
});
const deliveryLogSchema = z.looseObject({
  items: z.array(
    z.looseObject({
      eventId: z.string(),
      type: z.string(),
      status: z.enum(['pending', 'delivered', 'failed']),
      attempts: z.int(),
      lastStatusCode: z.int().optional(),
    }),
  ),
});
type DeliveryLog = z.output<typeof deliveryLogSchema>['items'];

async function endpoint(path: string, body: Record<string, unknown>) {
  const res = await admin.post('/admin/endpoints', { url: `${origin}${path}`, ...body });
  if (res.status !== 201) throw new Error(`POST /admin/endpoints → ${res.status} ${res.text}`);
  return bodyOf(res, endpointCreatedSchema);
}

async function deliveriesOf(endpointId: string): Promise<DeliveryLog> {
  const res = await admin.get(`/admin/endpoints/${endpointId}/deliveries`);
  if (res.status !== 200) throw new Error(`GET deliveries → ${res.status} ${res.text}`);
  return bodyOf(res, deliveryLogSchema).items;
}

const at = (path: string) => received.filter((r) => r.path === path);

/** Waits until `done` holds (checked every 100 ms), or fails naming `what` and the runtime output. */
async function until(done: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const ok = await pollUntil(async () => done(), Boolean, timeoutMs, 100);
  if (!ok) throw new Error(`Not within ${timeoutMs} ms: ${what}\n${runtime?.output().slice(-3_000)}`);
}

/** Every request a path received, each verified with its endpoint's secret (throws if one is not). */
function verified(path: string, secret: string): Delivered[] {
  return at(path).map((r) => {
    const headers = {
      'webhook-id': String(r.headers['webhook-id']),
      'webhook-timestamp': String(r.headers['webhook-timestamp']),
      'webhook-signature': String(r.headers['webhook-signature']),
    };
    const payload = new Webhook(secret).verify(r.body, headers) as Omit<Delivered, 'id'>;
    return { id: headers['webhook-id'], ...payload };
  });
}

/** An order bought with `coupon` (so attributed at once), as the shop posts it. */
async function placeOrder(merchant: { merchantId: string; secret: string }, coupon: string) {
  const orderId = uniqueId('ev');
  const res = await postWebhook(shopHttp, merchant.merchantId, merchant.secret, {
    type: 'order.created',
    orderId,
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    currency: 'USD',
    couponCode: coupon,
    lines: [{ sku: 'SKU-1', quantity: 2, unitPriceMinor: 5_000 }],
  });
  expect(res.status).toBe(202);
  expect(bodyOf(res, webhookAcceptedSchema).status).toBe('accepted');
  return orderId;
}

async function start(dataDir?: string) {
  runtime = await startRuntime({
    env: RUNTIME_ENV,
    ...(dataDir ? { dataDir, adminToken: runtime.adminToken } : {}),
  });
  admin = new AdminClient(runtime.baseUrl, runtime.adminToken);
  shopHttp = new HttpClient(runtime.baseUrl);
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = scripted.get(path)?.shift() ?? 200;
      if (answer === 'hold') {
        held.push(res);
        return;
      }
      res.statusCode = answer;
      res.end('ok');
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  await start();
  for (const [name, coupon] of [
    ['anna', `ANNA${Date.now().toString(36).toUpperCase()}`],
    ['ben', `BEN${Date.now().toString(36).toUpperCase()}`],
  ] as const) {
    const influencer = await createInfluencer(admin, { couponCodes: [coupon], payoutMinimumMinor: 0 });
    if (name === 'anna') anna = { influencerId: influencer.influencerId, coupon };
    else ben = { influencerId: influencer.influencerId, coupon };
  }
  for (const which of ['shop', 'other'] as const) {
    const made = await createMerchant(admin, { holdDays: 0, commission: { defaultBps: 1000 } });
    const merchant = { merchantId: made.merchantId, secret: made.webhookSecret };
    if (which === 'shop') shop = merchant;
    else otherShop = merchant;
  }
}, 90_000);

afterAll(async () => {
  for (const res of held) res.destroy();
  await new Promise((done) => receiver?.close(done));
  if (!runtime) return;
  await runtime.stop('SIGKILL');
  removeDataDir(runtime.dataDir);
}, 30_000);

describe('order events', () => {
  let all: z.output<typeof endpointCreatedSchema>;
  let scoped: z.output<typeof endpointCreatedSchema>;
  let orderId = '';

  test('a credited order and its refund each arrive signed, verified with the Standard Webhooks library', async () => {
    all = await endpoint('/all', { events: ['order.credited'] });
    scoped = await endpoint('/shop-only', { events: ['order.credited'], merchantId: shop.merchantId });
    orderId = await placeOrder(shop, anna.coupon);
    await until(() => at('/all').length >= 1, 20_000, 'the credited order at /all');

    const [credited] = verified('/all', all.secret);
    expect(credited).toMatchObject({
      type: 'order.credited',
      data: {
        merchantId: shop.merchantId,
        orderId,
        status: 'credited',
        amountMinor: 10_000,
        commissionMinor: 1_000,
        attributions: [expect.objectContaining({ influencerId: anna.influencerId, commissionMinor: 1_000 })],
      },
    });
    expect(credited?.id).toMatch(/^evt_/);
    expect(at('/all')[0]?.headers['content-type']).toBe('application/json');

    const refund = await postWebhook(shopHttp, shop.merchantId, shop.secret, {
      type: 'order.refunded',
      orderId,
      occurredAt: new Date().toISOString(),
      lines: [{ sku: 'SKU-1', quantity: 1 }],
    });
    expect(refund.status).toBe(202);
    await until(() => at('/all').length >= 2, 20_000, 'the refunded order at /all');
    const [, changed] = verified('/all', all.secret);
    expect(changed).toMatchObject({
      type: 'order.credited',
      data: { orderId, amountMinor: 5_000, commissionMinor: 500 },
    });
    expect(changed?.id).not.toBe(credited?.id);
    await until(
      async () => (await deliveriesOf(all.endpointId)).every((d) => d.status === 'delivered'),
      10_000,
      'both deliveries logged as delivered',
    );
    // Newest first: an order event's id begins with its root's write time, to the millisecond.
    const log = await deliveriesOf(all.endpointId);
    expect(log.map((d) => d.eventId)).toEqual([changed?.id, credited?.id]);
    expect(log.every((d) => d.attempts === 1 && d.lastStatusCode === 200)).toBe(true);
  });

  test('an endpoint scoped to one merchant sees only that merchant’s events', async () => {
    const otherOrderId = await placeOrder(otherShop, anna.coupon);
    const ofOther = () =>
      verified('/all', all.secret).filter((e) => e.data.merchantId === otherShop.merchantId);
    await until(() => ofOther().length >= 1, 20_000, "the other merchant's order at /all");
    await until(() => at('/shop-only').length >= 2, 20_000, "the shop's two events at /shop-only");
    expect(ofOther()[0]?.data.orderId).toBe(otherOrderId);

    const seen = verified('/shop-only', scoped.secret);
    expect(seen.map((e) => e.data.orderId)).toEqual([orderId, orderId]);
    expect(seen.every((e) => e.data.merchantId === shop.merchantId)).toBe(true);
    const log = await deliveriesOf(scoped.endpointId);
    expect(log.map((d) => d.eventId).sort()).toEqual(seen.map((e) => e.id).sort());
  });

  test('a receiver that fails twice and then answers 200 gets the same webhook-id three times', async () => {
    scripted.set('/flaky', [500, 503]);
    const flaky = await endpoint('/flaky', { events: ['order.credited'], merchantId: shop.merchantId });
    await placeOrder(shop, ben.coupon);
    await until(() => at('/flaky').length >= 3, 30_000, 'three attempts at /flaky');

    const attempts = verified('/flaky', flaky.secret);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.id)).size).toBe(1);
    // The same event each time, signed afresh for each attempt.
    expect(new Set(at('/flaky').map((r) => r.body)).size).toBe(1);
    await until(
      async () => (await deliveriesOf(flaky.endpointId))[0]?.status === 'delivered',
      10_000,
      '/flaky logged as delivered',
    );
    expect((await deliveriesOf(flaky.endpointId))[0]).toMatchObject({
      eventId: attempts[0]?.id,
      attempts: 3,
      lastStatusCode: 200,
    });
  });
});

describe('payout events', () => {
  let money: z.output<typeof endpointCreatedSchema>;
  let bensPayoutId = '';

  test('a payout run and a settlement: payout.created and payout.settled arrive', async () => {
    money = await endpoint('/money', { events: ['payout.created', 'payout.settled'] });
    const period = new Date().toISOString().slice(0, 7);
    const res = await admin.post('/admin/payouts/runs', { period });
    expect(res.status).toBe(200);
    const run = bodyOf(res, payoutRunSchema);
    const annas = run.payouts.find((p) => p.influencerId === anna.influencerId);
    const bens = run.payouts.find((p) => p.influencerId === ben.influencerId);
    expect(annas?.status).toBe('payable');
    expect(bens?.status).toBe('payable');
    bensPayoutId = bens?.payoutId ?? '';

    const created = () => verified('/money', money.secret).filter((e) => e.type === 'payout.created');
    await until(() => created().length >= 2, 20_000, 'payout.created for anna and ben');
    expect(created().find((e) => e.data.influencerId === anna.influencerId)?.data).toMatchObject({
      payoutId: annas?.payoutId,
      period,
      status: 'payable',
      amountMinor: annas?.amountMinor,
    });

    const settle = await admin.post(
      `/admin/payouts/${encodeURIComponent(annas?.payoutId ?? '')}/settlement`,
      { reference: 'SEPA-E2E-1' },
    );
    expect(settle.status).toBe(200);
    const settled = () => verified('/money', money.secret).filter((e) => e.type === 'payout.settled');
    await until(() => settled().length >= 1, 20_000, 'payout.settled');
    expect(settled()).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({
          payoutId: annas?.payoutId,
          period,
          settlement: expect.objectContaining({ reference: 'SEPA-E2E-1' }),
        }),
      }),
    ]);
  });

  describe('kill -9 of npm start, then a start on the same DATA_DIR', () => {
    let crashed: z.output<typeof endpointCreatedSchema>;
    let pendingId = '';
    let settledBefore = 0;

    test('a delivery pending when the runtime is killed is delivered after the restart, with the same webhook-id', async () => {
      // The first attempt fails (the retry is queued in the emulator), the second is kept waiting
      // by the receiver (its message is in flight): the kill comes with both only in memory.
      scripted.set('/crash', [500, 'hold']);
      crashed = await endpoint('/crash', { events: ['order.credited'], merchantId: shop.merchantId });
      await placeOrder(shop, anna.coupon);
      await until(() => at('/crash').length >= 2, 20_000, 'the second attempt at /crash');
      const [log] = await deliveriesOf(crashed.endpointId);
      expect(log).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
      pendingId = log?.eventId ?? '';

      // And a change whose event is not delivered yet: the settlement of ben's payout, killed as
      // soon as it is committed (see the next test).
      settledBefore = verified('/money', money.secret).filter((e) => e.type === 'payout.settled').length;
      const settle = await admin.post(`/admin/payouts/${encodeURIComponent(bensPayoutId)}/settlement`, {
        reference: 'SEPA-E2E-2',
      });
      expect(settle.status).toBe(200);
      const exit = await runtime.crash();
      expect(exit.signal).toBe('SIGKILL');
      const beforeRestart = at('/crash').length;

      await start(runtime.dataDir);
      await until(() => at('/crash').length > beforeRestart, 30_000, 'the attempt after the restart');
      const attempts = verified('/crash', crashed.secret);
      expect(new Set(attempts.map((a) => a.id))).toEqual(new Set([pendingId]));
      await until(
        async () => (await deliveriesOf(crashed.endpointId))[0]?.status === 'delivered',
        10_000,
        '/crash logged as delivered',
      );
      expect(await deliveriesOf(crashed.endpointId)).toEqual([
        expect.objectContaining({ eventId: pendingId, status: 'delivered', lastStatusCode: 200 }),
      ]);
    });

    test('a change committed just before the kill is still delivered after the restart', async () => {
      // Killed within milliseconds of the settlement's 200, most often before the events stream
      // poller (every 200 ms) had read it; otherwise after, with its delivery pending. Either way
      // the stream checkpoint or the deliveries table brings it back.
      const settled = () =>
        verified('/money', money.secret).filter(
          (e) => e.type === 'payout.settled' && e.data.payoutId === bensPayoutId,
        );
      await until(() => settled().length >= 1, 30_000, "ben's payout.settled after the restart");
      expect(settled()[0]?.data).toMatchObject({
        settlement: expect.objectContaining({ reference: 'SEPA-E2E-2' }),
      });
      expect(
        verified('/money', money.secret).filter((e) => e.type === 'payout.settled').length,
      ).toBeGreaterThan(settledBefore);
    });
  });
});
