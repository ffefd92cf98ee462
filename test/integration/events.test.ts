/**
 * Outgoing events (CONTRACT §12) on DynamoDB Local and the SQS emulator: orders ingested and
 * credited by the real attribution worker, payouts made and settled by the real payout run, the
 * orders and payouts tables' streams read by the local stream poller into the events function, and
 * the deliveries queue read into the delivery function, which POSTs to a receiver on 127.0.0.1.
 * Each delivery is verified with the Standard Webhooks library; retries keep the `webhook-id`; a
 * spent schedule is `failed` and a manual retry delivers it; a scoped endpoint sees only its own;
 * a delivery whose queue message was lost is delivered by the redrive.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import type { QueuePoller } from '../../lib/local/queues';
import { sdkLocal } from '../../lib/local/stores';
import { localCheckpointStore, type StreamPoller, startStreamPoller } from '../../lib/local/streams';
import { type StreamSpec, streams } from '../../lib/wiring';
import { context, httpEvent } from '../support/events';
import { type HttpHandler, pollQueue, type SqsHandler, waitFor } from '../support/handlers';
import { useTestStores } from '../support/stores';
import { webhookEvent } from '../support/webhooks';

type StreamWorker = (e: DynamoDBStreamEvent, c: ReturnType<typeof context>) => Promise<DynamoDBBatchResponse>;

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let stores: Awaited<ReturnType<typeof useTestStores>>;
let admin: HttpHandler;
let ingest: HttpHandler;
let payoutsApi: HttpHandler;
let sqs: SQSClient;
let server: Server;
let origin = '';
const pollers: QueuePoller[] = [];
let streamPollers: StreamPoller[] = [];
let checkpoints: Awaited<ReturnType<typeof localCheckpointStore>>;
const failedBatches: unknown[] = [];
const received: Received[] = [];
/** Answers per path, used up in order; then 200. */
const scripted = new Map<string, number[]>();
let shopSecret = '';

async function call(handler: HttpHandler, input: Parameters<typeof httpEvent>[0]) {
  const res = await handler(httpEvent({ admin: true, ...input }), context());
  const text = res.body ?? '';
  return {
    status: res.statusCode,
    body: (res.headers?.['content-type'] ?? '').includes('json') && text ? JSON.parse(text) : undefined,
  };
}

async function endpoint(path: string, body: Record<string, unknown>) {
  const res = await call(admin, {
    method: 'POST',
    route: '/admin/endpoints',
    body: { url: `${origin}${path}`, ...body },
  });
  expect(res.status).toBe(201);
  return res.body as { endpointId: string; secret: string };
}

const deliveriesOf = async (endpointId: string) => {
  const res = await call(admin, {
    method: 'GET',
    route: '/admin/endpoints/{endpointId}/deliveries',
    pathParameters: { endpointId },
  });
  expect(res.status).toBe(200);
  return res.body.items as Array<Record<string, unknown> & { eventId: string; status: string }>;
};

/** Waits until `done` holds (checked every 100 ms), or fails the test after `timeoutMs`. */
async function until(done: () => boolean | Promise<boolean>, timeoutMs: number) {
  const ok = await waitFor(
    async () => done(),
    (value) => value,
    timeoutMs,
  );
  if (!ok) throw new Error(`Not done within ${timeoutMs} ms.`);
}

const at = (path: string) => received.filter((r) => r.path === path);

/** The deliveries a path received, each verified with its endpoint's secret. */
function verified(path: string, secret: string) {
  return at(path).map((r) => {
    const payload = new Webhook(secret).verify(r.body, {
      'webhook-id': String(r.headers['webhook-id']),
      'webhook-timestamp': String(r.headers['webhook-timestamp']),
      'webhook-signature': String(r.headers['webhook-signature']),
    }) as { type: string; timestamp: string; data: Record<string, unknown> };
    return { id: String(r.headers['webhook-id']), ...payload };
  });
}

let orderSeq = 0;
async function creditedOrder(merchantId: string, secret: string, couponCode: string) {
  const orderId = `EV-${++orderSeq}`;
  const res = await ingest(
    webhookEvent(merchantId, secret, {
      type: 'order.created',
      orderId,
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      currency: 'USD',
      couponCode,
      lines: [{ sku: 'S', quantity: 2, unitPriceMinor: 5_000 }],
    }),
    context(),
  );
  expect(res.statusCode).toBe(202);
  return orderId;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answers = scripted.get(path);
      res.statusCode = answers?.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  stores = await useTestStores(
    'events',
    { PAYOUT_RUN_WAIT_MS: '20000', DELIVERY_RETRY_DELAYS_SECONDS: '1,1,1' },
    { visibilityTimeoutSeconds: 1 },
  );
  sqs = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  const { logger } = await import('../../functions/common/logger');
  logger.setLogLevel('ERROR');
  admin = (await import('../../functions/admin/handler')).handler as unknown as HttpHandler;
  ingest = (await import('../../functions/ingest/handler')).handler as unknown as HttpHandler;
  payoutsApi = (await import('../../functions/payouts/handler')).handler as unknown as HttpHandler;
  const attribution = (await import('../../functions/attribution/handler')).handler as unknown as SqsHandler;
  const payoutWorker = (await import('../../functions/payout-worker/handler'))
    .handler as unknown as SqsHandler;
  const deliveries = (await import('../../functions/deliveries/handler')).handler as unknown as SqsHandler;
  const events = (await import('../../functions/events/handler')).handler as unknown as StreamWorker;
  pollers.push(
    pollQueue(sqs, stores.queues.orders, 'orders', attribution),
    pollQueue(sqs, stores.queues.payoutJobs, 'payoutJobs', payoutWorker),
    pollQueue(sqs, stores.queues.deliveries, 'deliveries', deliveries),
  );
  checkpoints = await localCheckpointStore(stores.dynamoEndpoint, `${stores.prefix}-stream-checkpoints`);
  streamPollers = (Object.entries(streams) as Array<[string, StreamSpec]>)
    .filter(([, spec]) => spec.consumer === 'events')
    .map(([, spec]) =>
      startStreamPoller({
        endpoint: stores.dynamoEndpoint,
        tableName: stores.tables[spec.table],
        spec,
        handler: async () => events,
        checkpoints,
        checkpointPrefix: 'events#',
        onError: (err) => console.error('stream poller', err),
        onFailedBatch: (batch) => failedBatches.push(batch),
      }),
    );

  for (const merchantId of ['evshop', 'evother']) {
    const made = await call(admin, {
      method: 'POST',
      route: '/admin/merchants',
      body: {
        merchantId,
        name: merchantId,
        allowedDomains: ['shop.example.com'],
        currency: 'USD',
        holdDays: 0,
        commission: { defaultBps: 1000 },
      },
    });
    expect(made.status).toBe(201);
    if (merchantId === 'evshop') shopSecret = made.body.webhookSecret;
  }
  for (const [influencerId, coupon] of [
    ['evi', 'EVI'],
    ['evj', 'EVJ'],
  ] as const) {
    const made = await call(admin, {
      method: 'POST',
      route: '/admin/influencers',
      body: {
        influencerId,
        handle: influencerId,
        name: influencerId,
        payoutMinimumMinor: 0,
        couponCodes: [coupon],
      },
    });
    expect(made.status).toBe(201);
  }
});

afterAll(async () => {
  await Promise.all(streamPollers.map((p) => p.stop()));
  await Promise.all(pollers.map((p) => p.stop()));
  checkpoints.close();
  sqs.destroy();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  expect(failedBatches).toEqual([]);
});

describe('order events', () => {
  it('delivers a credited order and its refund, signed, each with its own id; a scoped endpoint of another merchant sees neither', async () => {
    const all = await endpoint('/all', { events: ['order.credited', 'order.unattributed'] });
    const other = await endpoint('/other', { events: ['order.credited'], merchantId: 'evother' });
    const orderId = await creditedOrder('evshop', shopSecret, 'EVI');

    await until(() => at('/all').length >= 1, 20_000);
    const [credited] = verified('/all', all.secret);
    expect(credited).toMatchObject({
      type: 'order.credited',
      data: {
        merchantId: 'evshop',
        orderId,
        status: 'credited',
        commissionMinor: 1_000,
        attributions: [expect.objectContaining({ influencerId: 'evi', commissionMinor: 1_000 })],
      },
    });
    expect(credited?.id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(at('/all')[0]?.headers['content-type']).toBe('application/json');

    const refund = await ingest(
      webhookEvent('evshop', shopSecret, {
        type: 'order.refunded',
        orderId,
        occurredAt: new Date().toISOString(),
        lines: [{ sku: 'S', quantity: 1 }],
      }),
      context(),
    );
    expect(refund.statusCode).toBe(202);
    await until(() => at('/all').length >= 2, 20_000);
    const [, changed] = verified('/all', all.secret);
    expect(changed).toMatchObject({
      type: 'order.credited',
      data: {
        orderId,
        amountMinor: 5_000,
        commissionMinor: 500,
        refunds: [expect.objectContaining({ type: 'order.refunded' })],
      },
    });
    expect(changed?.id).not.toBe(credited?.id);

    const log = await deliveriesOf(all.endpointId);
    expect(log.map((d) => d.eventId)).toEqual([changed?.id, credited?.id]);
    expect(log[0]).toMatchObject({
      type: 'order.credited',
      status: 'delivered',
      attempts: 1,
      lastStatusCode: 200,
    });
    expect(log[0]?.nextAttemptAt).toBeUndefined();
    expect(at('/other')).toEqual([]);
    expect(await deliveriesOf(other.endpointId)).toEqual([]);
  });

  it('retries a failing endpoint with the same webhook-id until it answers 2xx', async () => {
    scripted.set('/flaky', [500, 503]);
    const flaky = await endpoint('/flaky', { events: ['order.credited'], merchantId: 'evshop' });
    await creditedOrder('evshop', shopSecret, 'EVJ');
    await until(() => at('/flaky').length >= 3, 30_000);
    const ids = at('/flaky').map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(1);
    // Each attempt is signed afresh, and each verifies.
    expect(verified('/flaky', flaky.secret)).toHaveLength(3);
    await until(async () => (await deliveriesOf(flaky.endpointId))[0]?.status === 'delivered', 10_000);
    expect((await deliveriesOf(flaky.endpointId))[0]).toMatchObject({ attempts: 3, lastStatusCode: 200 });
  });

  it('marks a delivery failed when its retries are spent, and a manual retry sends it again now', async () => {
    scripted.set('/down', [500, 500, 500, 500]);
    const down = await endpoint('/down', { events: ['order.credited'], influencerId: 'evi' });
    await creditedOrder('evshop', shopSecret, 'EVI');
    await until(async () => (await deliveriesOf(down.endpointId))[0]?.status === 'failed', 30_000);
    const [failed] = await deliveriesOf(down.endpointId);
    expect(failed).toMatchObject({ status: 'failed', attempts: 4, lastStatusCode: 500 });
    expect(at('/down')).toHaveLength(4);

    const retried = await call(admin, {
      method: 'POST',
      route: '/admin/endpoints/{endpointId}/deliveries/{eventId}/retry',
      pathParameters: { endpointId: down.endpointId, eventId: failed?.eventId ?? '' },
    });
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ eventId: failed?.eventId, status: 'pending', attempts: 4 });
    await until(async () => (await deliveriesOf(down.endpointId))[0]?.status === 'delivered', 10_000);
    expect(at('/down')).toHaveLength(5);
    expect(new Set(at('/down').map((r) => r.headers['webhook-id'])).size).toBe(1);

    // Retries asked for several times at once send it once more, not once each.
    const retries = await Promise.all(
      Array.from({ length: 5 }, () =>
        call(admin, {
          method: 'POST',
          route: '/admin/endpoints/{endpointId}/deliveries/{eventId}/retry',
          pathParameters: { endpointId: down.endpointId, eventId: failed?.eventId ?? '' },
        }),
      ),
    );
    expect(retries.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    await until(async () => (await deliveriesOf(down.endpointId))[0]?.status === 'delivered', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(at('/down')).toHaveLength(6);

    const unknown = await call(admin, {
      method: 'POST',
      route: '/admin/endpoints/{endpointId}/deliveries/{eventId}/retry',
      pathParameters: { endpointId: down.endpointId, eventId: 'evt_01KBD00000000000000000000Z' },
    });
    expect(unknown.status).toBe(404);
  });

  it('delivers an unattributed order to an endpoint that asked for it', async () => {
    const lost = await endpoint('/lost', { events: ['order.unattributed'], merchantId: 'evshop' });
    const res = await ingest(
      webhookEvent('evshop', shopSecret, {
        type: 'order.created',
        orderId: 'EV-NOBODY',
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
        currency: 'USD',
        lines: [{ sku: 'S', quantity: 1, unitPriceMinor: 1_000 }],
      }),
      context(),
    );
    expect(res.statusCode).toBe(202);
    await until(() => at('/lost').length >= 1, 20_000);
    expect(verified('/lost', lost.secret)).toEqual([
      expect.objectContaining({
        type: 'order.unattributed',
        data: expect.objectContaining({ orderId: 'EV-NOBODY', status: 'unattributed' }),
      }),
    ]);
  });
});

describe('payout events', () => {
  it('delivers payout.created for a payable payout of a run, and payout.settled once it is settled', async () => {
    const money = await endpoint('/money', {
      events: ['payout.created', 'payout.settled'],
      influencerId: 'evi',
    });
    const period = new Date().toISOString().slice(0, 7);
    const run = await call(payoutsApi, { method: 'POST', route: '/admin/payouts/runs', body: { period } });
    expect(run.status).toBe(200);
    const payout = (
      run.body.payouts as Array<{ payoutId: string; influencerId: string; status: string }>
    ).find((p) => p.influencerId === 'evi');
    expect(payout?.status).toBe('payable');
    await until(() => at('/money').length >= 1, 20_000);

    const settled = await call(payoutsApi, {
      method: 'POST',
      route: '/admin/payouts/{payoutId}/settlement',
      path: `/admin/payouts/${encodeURIComponent(payout?.payoutId ?? '')}/settlement`,
      pathParameters: { payoutId: payout?.payoutId ?? '' },
      body: { reference: 'SEPA-42' },
    });
    expect(settled.status).toBe(200);
    await until(() => at('/money').length >= 2, 20_000);
    const events = verified('/money', money.secret);
    expect(events.map((e) => e.type)).toEqual(['payout.created', 'payout.settled']);
    expect(events[0]?.data).toMatchObject({
      period,
      payoutId: payout?.payoutId,
      influencerId: 'evi',
      status: 'payable',
    });
    expect(events[1]?.data).toMatchObject({ settlement: { reference: 'SEPA-42' } });
    // evj's payout is not evi's endpoint's business.
    expect(events.every((e) => e.data.influencerId === 'evi')).toBe(true);
  });
});

describe('the redrive', () => {
  it('delivers a pending delivery whose queue message was lost', async () => {
    const { deliveryRepo } = await import('../../functions/common/repos/deliveries');
    const { redriveDeliveries } = await import('../../functions/delivery-redrive/handler');
    const lostMessage = await endpoint('/redriven', { events: ['order.credited'] });
    const eventId = 'evt_01KBD0REDR1VE0000000000000';
    // Made as the events function makes it, but its message never sent.
    await deliveryRepo(stores.tables.deliveries).createIfAbsent(
      {
        endpointId: lostMessage.endpointId,
        eventId,
        type: 'order.credited',
        body: '{"type":"order.credited"}',
      },
      new Date(Date.now() - 3_600_000),
    );
    expect(await redriveDeliveries()).toEqual({ requeued: 1 });
    await until(() => at('/redriven').length >= 1, 10_000);
    expect(at('/redriven')[0]?.headers['webhook-id']).toBe(eventId);
    await until(async () => (await deliveriesOf(lostMessage.endpointId))[0]?.status === 'delivered', 10_000);
  });

  it('at start-up also queues a pending delivery that is not due yet, and it is attempted when due', async () => {
    const { deliveryRepo } = await import('../../functions/common/repos/deliveries');
    const { redriveDeliveries } = await import('../../functions/delivery-redrive/handler');
    const later = await endpoint('/later', { events: ['order.credited'] });
    const eventId = 'evt_01KBD0REDR1VE0000000000001';
    // Its next attempt is due in 3 s, and the queue that held that attempt's message was lost (the
    // local SQS emulator, restarted with npm start): nothing else would ever queue it again before
    // it is overdue by the scheduled redrive's margin.
    await deliveryRepo(stores.tables.deliveries).createIfAbsent(
      { endpointId: later.endpointId, eventId, type: 'order.credited', body: '{"type":"order.credited"}' },
      new Date(Date.now() + 3_000),
    );
    const { requeued } = await redriveDeliveries({ all: true });
    expect(requeued).toBeGreaterThanOrEqual(1);
    await until(() => at('/later').length >= 1, 15_000);
    expect(at('/later').map((r) => r.headers['webhook-id'])).toEqual([eventId]);
  });
});
