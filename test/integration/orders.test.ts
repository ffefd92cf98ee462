/**
 * Order webhooks end to end inside one process, on the real stand-ins: the ingest handler, the
 * orders queue on the SQS emulator (visibility 1 s so redelivery is quick), the attribution worker
 * fed by the same poller the local runtime uses, and the order view.
 */
import {
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { QueuePoller } from '../../lib/local/queues';
import { sdkLocal } from '../../lib/local/stores';
import { BROWSER_UA, context, httpEvent, redirectEvent } from '../support/events';
import { type HttpHandler, pollQueue, type SqsHandler, waitFor } from '../support/handlers';
import { sqsRecord } from '../support/sqs-records';
import { useTestStores } from '../support/stores';
import { webhookEvent } from '../support/webhooks';

type Http = HttpHandler;
type Worker = SqsHandler;

let admin: Http;
let redirect: Http;
let ingest: Http;
let worker: Worker;
let sqs: SQSClient;
let stores: Awaited<ReturnType<typeof useTestStores>>;
let poller: QueuePoller | undefined;
const dynamoCalls: string[] = [];
let failNextTransactionAfterWrite = false;

const secrets: Record<string, string> = {};

async function adminCall(
  method: string,
  route: string,
  body?: unknown,
  pathParameters?: Record<string, string>,
) {
  const res = await admin(httpEvent({ method, route, body, pathParameters, admin: true }), context());
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

async function createMerchant(merchantId: string, extra: Record<string, unknown> = {}) {
  const res = await adminCall('POST', '/admin/merchants', {
    merchantId,
    name: merchantId,
    allowedDomains: ['shop.example.com'],
    currency: 'USD',
    commission: { defaultBps: 1000, categoryBps: { beauty: 1500 } },
    ...extra,
  });
  expect(res.status).toBe(201);
  secrets[merchantId] = res.body.webhookSecret;
}

async function createInfluencerWithLink(
  influencerId: string,
  merchantId: string,
  couponCodes: string[] = [],
) {
  expect(
    (
      await adminCall('POST', '/admin/influencers', {
        influencerId,
        handle: influencerId,
        name: influencerId,
        couponCodes,
      })
    ).status,
  ).toBe(201);
  const code = `${influencerId}-${merchantId}`;
  expect(
    (
      await adminCall('POST', '/admin/links', {
        code,
        influencerId,
        merchantId,
        targetUrl: 'https://shop.example.com/p',
      })
    ).status,
  ).toBe(201);
  return code;
}

async function linkFor(influencerId: string, merchantId: string) {
  const code = `${influencerId}-${merchantId}`;
  if ((await adminCall('GET', '/admin/links/{code}', undefined, { code })).status === 404) {
    expect(
      (
        await adminCall('POST', '/admin/links', {
          code,
          influencerId,
          merchantId,
          targetUrl: 'https://shop.example.com/p',
        })
      ).status,
    ).toBe(201);
  }
  return code;
}

async function click(code: string, visitorId: string, userAgent = BROWSER_UA): Promise<string> {
  const res = await redirect(redirectEvent(code, visitorId, userAgent), context());
  expect(res.statusCode).toBe(302);
  const { ulidUpperBound, ulidLowerBound } = await import('../../functions/common/domain/ids');
  const { clickRepo } = await import('../../functions/common/repos/clicks');
  const clicks = await clickRepo(stores.tables.clicks).ofVisitor(
    visitorId,
    ulidLowerBound(0),
    ulidUpperBound(Date.now() + 1000),
  );
  const last = clicks[clicks.length - 1];
  if (last) return last.clickId;
  // A bot's click is kept out of the visitor index (and its redirect carries no click id).
  const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
  const { dynamo } = await import('../../functions/common/clients/aws');
  const scanned = await dynamo().send(
    new ScanCommand({
      TableName: stores.tables.clicks,
      FilterExpression: 'botVisitorId = :v',
      ExpressionAttributeValues: { ':v': visitorId },
    }),
  );
  const botClick = scanned.Items?.[0]?.clickId;
  if (typeof botClick !== 'string') throw new Error('no click recorded');
  return botClick;
}

const later = (ms = 1000) => new Date(Date.now() + ms).toISOString();
let orderSeq = 0;
const orderId = (label: string) => `${label}-${++orderSeq}-${Date.now()}`;

function created(id: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'order.created',
    orderId: id,
    occurredAt: later(),
    currency: 'USD',
    lines: [
      { sku: 'SKU-1', category: 'beauty', quantity: 2, unitPriceMinor: 2500 },
      { sku: 'SKU-2', quantity: 1, unitPriceMinor: 999 },
    ],
    ...extra,
  };
}

async function send(merchantId: string, body: unknown, options = {}) {
  const res = await ingest(webhookEvent(merchantId, secrets[merchantId] ?? '', body, options), context());
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

async function order(merchantId: string, id: string) {
  return adminCall('GET', '/admin/orders/{merchantId}/{orderId}', undefined, { merchantId, orderId: id });
}

const credited = (merchantId: string, id: string) =>
  waitFor(
    () => order(merchantId, id),
    (o) => o.status === 200 && o.body.status !== 'pending',
  );

async function queueDepth(url: string) {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

async function scanCount(table: string) {
  const { dynamo } = await import('../../functions/common/clients/aws');
  return (await dynamo().send(new ScanCommand({ TableName: table, Select: 'COUNT' }))).Count ?? 0;
}

async function partition(merchantId: string, id: string) {
  const { orderRepo } = await import('../../functions/common/repos/orders');
  return orderRepo(stores.tables.orders).load(merchantId, id);
}

function startWorker() {
  poller = pollQueue(sqs, stores.queues.orders, 'orders', worker);
}

async function stopWorker() {
  await poller?.stop();
  poller = undefined;
}

beforeAll(async () => {
  stores = await useTestStores('orders', {}, { visibilityTimeoutSeconds: 1 });
  sqs = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  const aws = await import('../../functions/common/clients/aws');
  aws.dynamo().middlewareStack.add(
    (next, ctx) => async (args) => {
      dynamoCalls.push(String(ctx.commandName));
      const result = await next(args);
      if (failNextTransactionAfterWrite && ctx.commandName === 'TransactWriteItemsCommand') {
        failNextTransactionAfterWrite = false;
        throw new Error('Injected: the function dies after its write, before acknowledging the message');
      }
      return result;
    },
    { step: 'initialize', name: 'countAndFail' },
  );
  admin = (await import('../../functions/admin/handler')).handler as unknown as Http;
  redirect = (await import('../../functions/redirect/handler')).handler as unknown as Http;
  ingest = (await import('../../functions/ingest/handler')).handler as unknown as Http;
  worker = (await import('../../functions/attribution/handler')).handler as unknown as Worker;

  await createMerchant('shop-a');
  await createMerchant('shop-b');
  await createInfluencerWithLink('anna', 'shop-a', ['ANNA10']);
  await createInfluencerWithLink('bea', 'shop-a');
  await linkFor('anna', 'shop-b');
  startWorker();
});

afterAll(async () => {
  await stopWorker();
  sqs.destroy();
});

describe('crediting', () => {
  it('credits an order to its click, with commission rounded once per order', async () => {
    const vid = 'visitor-credit-000000001';
    const clickId = await click('anna-shop-a', vid);
    const id = orderId('A');
    const accepted = await send('shop-a', created(id, { clickId }));
    expect(accepted).toEqual({ status: 202, body: { status: 'accepted', webhookId: expect.any(String) } });
    const view = await credited('shop-a', id);
    // 2 x 2500 at 15 % = 750, plus 999 at 10 % = 99.9: 849.9 rounds once, to 850.
    expect(view.body).toMatchObject({
      status: 'credited',
      currency: 'USD',
      amountMinor: 5999,
      commissionMinor: 850,
      attributions: [
        {
          influencerId: 'anna',
          clickId,
          weightBps: 10_000,
          commissionMinor: 850,
          status: 'unpaid',
          method: 'last_click',
        },
      ],
    });
    expect(view.body.attributions[0].clickAgeSeconds).toBeGreaterThanOrEqual(0);
  });

  it('costs at most 4 DynamoDB calls in the worker for an order with a click', async () => {
    const clickId = await click('anna-shop-a', 'visitor-calls-00000000001');
    await stopWorker();
    await send('shop-a', created(orderId('calls'), { clickId }));
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stores.queues.orders.url,
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: 1,
      }),
    );
    const message = received.Messages?.[0];
    if (!message) throw new Error('nothing queued');
    dynamoCalls.length = 0;
    const res = await worker(
      {
        Records: [sqsRecord(message.MessageId ?? 'm', message.Body ?? '', { arn: stores.queues.orders.arn })],
      },
      context(),
    );
    expect(res.batchItemFailures).toEqual([]);
    expect(dynamoCalls.length).toBeLessThanOrEqual(4);
    expect(dynamoCalls).toContain('TransactWriteItemsCommand');
    startWorker();
  });

  it('splits between influencers by the merchant model, parts adding up exactly (linear)', async () => {
    await createMerchant('shop-lin', { attributionModel: 'linear', commission: { defaultBps: 1000 } });
    const vid = 'visitor-linear-0000000001';
    await click(await linkFor('anna', 'shop-lin'), vid);
    await click(await linkFor('bea', 'shop-lin'), vid);
    const last = await click(await linkFor('bea', 'shop-lin'), vid); // a duplicate of the previous one: ignored
    const id = orderId('L');
    await send(
      'shop-lin',
      created(id, { clickId: last, lines: [{ sku: 'X', quantity: 1, unitPriceMinor: 1001 }] }),
    );
    const view = await credited('shop-lin', id);
    expect(view.body.commissionMinor).toBe(100);
    const parts = view.body.attributions.map(
      (a: { influencerId: string; weightBps: number; commissionMinor: number }) => [
        a.influencerId,
        a.weightBps,
        a.commissionMinor,
      ],
    );
    expect(parts).toEqual([
      ['anna', 5000, 50],
      ['bea', 5000, 50],
    ]);
  });

  it.each([
    ['no_click', {}],
    ['unknown_click', { clickId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }],
  ])('keeps an order without a usable click as unattributed (%s)', async (reason, extra) => {
    const id = orderId('U');
    await send('shop-a', created(id, extra));
    const view = await credited('shop-a', id);
    expect(view.body).toMatchObject({
      status: 'unattributed',
      unattributedReason: reason,
      commissionMinor: 0,
      attributions: [],
    });
  });

  it('marks other_merchant, bot and expired clicks unattributed', async () => {
    const other = await click('anna-shop-b', 'visitor-other-00000000001');
    const bot = await click(
      'anna-shop-a',
      'visitor-bot-0000000000001',
      'Googlebot/2.1 (+http://www.google.com/bot.html)',
    );
    const old = await click('anna-shop-a', 'visitor-old-0000000000001');
    const cases: Array<[string, Record<string, unknown>]> = [
      ['other_merchant', { clickId: other }],
      ['bot', { clickId: bot }],
      ['expired', { clickId: old, occurredAt: new Date(Date.now() + 31 * 86_400_000).toISOString() }],
    ];
    for (const [reason, extra] of cases) {
      const id = orderId(reason);
      await send('shop-a', created(id, extra));
      expect((await credited('shop-a', id)).body).toMatchObject({
        status: 'unattributed',
        unattributedReason: reason,
      });
    }
  });

  it('falls back to a coupon code, matched case-insensitively', async () => {
    const id = orderId('C');
    await send('shop-a', created(id, { couponCode: 'anna10' }));
    expect((await credited('shop-a', id)).body).toMatchObject({
      status: 'credited',
      attributions: [{ influencerId: 'anna', weightBps: 10_000, commissionMinor: 850, method: 'coupon' }],
    });
  });
});

describe('exactly once', () => {
  it('answers the same webhook twice with accepted then duplicate, and credits it once', async () => {
    const id = orderId('D');
    const body = created(id, { couponCode: 'ANNA10' });
    const first = await send('shop-a', body, { id: 'msg_same_twice' });
    const second = await send('shop-a', body, { id: 'msg_same_twice' });
    expect(first.body.status).toBe('accepted');
    expect(second).toEqual({ status: 202, body: { status: 'duplicate', webhookId: 'msg_same_twice' } });
    await credited('shop-a', id);
    await waitFor(
      () => queueDepth(stores.queues.orders.url),
      (d) => d === 0,
    );
    expect((await partition('shop-a', id)).credits).toHaveLength(1);
  });

  it('credits one order once when 10 deliveries with different webhook ids arrive in parallel', async () => {
    const clickId = await click('anna-shop-a', 'visitor-parallel-00000001');
    const id = orderId('P');
    const body = created(id, { clickId });
    const results = await Promise.all(Array.from({ length: 10 }, () => send('shop-a', body)));
    expect(results.every((r) => r.status === 202 && r.body.status === 'accepted')).toBe(true);
    await credited('shop-a', id);
    await waitFor(
      () => queueDepth(stores.queues.orders.url),
      (d) => d === 0,
    );
    const { credits } = await partition('shop-a', id);
    expect(credits).toHaveLength(1);
    expect(credits[0]?.amountMinor).toBe(850);
  });

  it('processes a poison message apart: 9 of a batch of 10 credited, the poison in the dead-letter queue', async () => {
    await stopWorker();
    const ids = Array.from({ length: 9 }, () => orderId('B'));
    for (const id of ids) await send('shop-a', created(id, { couponCode: 'ANNA10' }));
    await sqs.send(
      new SendMessageCommand({ QueueUrl: stores.queues.orders.url, MessageBody: '{"this is": "poison"}' }),
    );
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stores.queues.orders.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    const messages = received.Messages ?? [];
    expect(messages).toHaveLength(10);
    const res = await worker(
      { Records: messages.map((m) => sqsRecord(m.MessageId ?? '', m.Body ?? '')) },
      context(),
    );
    const poison = messages.find((m) => m.Body?.includes('poison'));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: poison?.MessageId }]);
    for (const id of ids) expect((await order('shop-a', id)).body.status).toBe('credited');

    // What the event source mapping does next: the 9 are deleted; the poison comes back until its
    // 5th receive, then SQS moves it to the dead-letter queue.
    startWorker();
    expect(
      await waitFor(
        () => queueDepth(stores.queues.orders.deadLetterUrl),
        (d) => d === 1,
        20_000,
      ),
    ).toBe(1);
  });

  it('credits once when the worker dies after writing and before acknowledging', async () => {
    const clickId = await click('anna-shop-a', 'visitor-crash-00000000001');
    const id = orderId('X');
    await stopWorker();
    await send('shop-a', created(id, { clickId }));
    failNextTransactionAfterWrite = true;
    startWorker();
    const view = await credited('shop-a', id);
    expect(failNextTransactionAfterWrite).toBe(false);
    await waitFor(
      () => queueDepth(stores.queues.orders.url),
      (d) => d === 0,
    );
    expect(view.body.commissionMinor).toBe(850);
    expect((await partition('shop-a', id)).credits).toHaveLength(1);
  });

  it('re-queues from the inbox an accepted event whose message the queue lost', async () => {
    await stopWorker();
    const id = orderId('R');
    await send('shop-a', created(id, { couponCode: 'ANNA10' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: stores.queues.orders.url }));
    const { redrivePending } = await import('../../functions/outbox-redrive/handler');
    expect((await redrivePending({ all: false })).requeued).toBe(0); // too recent for the scheduled pass
    expect((await redrivePending({ all: true })).requeued).toBeGreaterThanOrEqual(1);
    startWorker();
    expect((await credited('shop-a', id)).body.status).toBe('credited');
  });
});

describe('refunds and cancellations', () => {
  const refund = (id: string, lines: Array<{ sku: string; quantity: number }>) => ({
    type: 'order.refunded',
    orderId: id,
    occurredAt: later(2000),
    lines,
  });

  it('applies a refund that arrives before its order', async () => {
    const id = orderId('RB');
    await send('shop-a', refund(id, [{ sku: 'SKU-1', quantity: 1 }]));
    // Not accepted as an order yet: the view does not know it.
    await waitFor(
      () => partition('shop-a', id),
      (p) => p.refunds.length === 1,
    );
    expect((await order('shop-a', id)).status).toBe(404);
    await send('shop-a', created(id, { couponCode: 'ANNA10' }));
    const view = await credited('shop-a', id);
    // Kept: 1 x 2500 at 15 % + 999 at 10 % = 474.9 -> 475.
    expect(view.body).toMatchObject({
      amountMinor: 3499,
      commissionMinor: 475,
      attributions: [{ commissionMinor: 475 }],
    });
  });

  it('shrinks an unpaid credit, and turns a refund of a paid credit into a clawback', async () => {
    const id = orderId('RF');
    await send('shop-a', created(id, { couponCode: 'ANNA10' }));
    await credited('shop-a', id);
    await send('shop-a', refund(id, [{ sku: 'SKU-2', quantity: 1 }]));
    const shrunk = await waitFor(
      () => order('shop-a', id),
      (o) => o.body.commissionMinor === 750,
    );
    expect(shrunk.body.attributions[0]).toMatchObject({ commissionMinor: 750, status: 'unpaid' });

    // A payout pays the credit (what the payout run does, done here directly).
    const { dynamo } = await import('../../functions/common/clients/aws');
    await dynamo().send(
      new UpdateCommand({
        TableName: stores.tables.orders,
        Key: { pk: `ORDER#shop-a#${id}`, sk: 'CREDIT#anna' },
        UpdateExpression: 'SET #s = :paid, payoutId = :p REMOVE unpaidFor',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':paid': 'paid', ':p': 'payout-test' },
      }),
    );
    const refundEvent = refund(id, [{ sku: 'SKU-1', quantity: 1 }]);
    await send('shop-a', refundEvent);
    const clawed = await waitFor(
      () => order('shop-a', id),
      (o) => o.body.adjustments.length === 1,
    );
    expect(clawed.body).toMatchObject({
      commissionMinor: 375,
      attributions: [{ commissionMinor: 750, status: 'paid' }],
      adjustments: [
        { influencerId: 'anna', amountMinor: -375, occurredAt: refundEvent.occurredAt, status: 'unpaid' },
      ],
    });
  });

  it('cancels: everything is returned and the credit drops to zero', async () => {
    const id = orderId('CX');
    await send('shop-a', created(id, { couponCode: 'ANNA10' }));
    await credited('shop-a', id);
    await send('shop-a', { type: 'order.cancelled', orderId: id, occurredAt: later(3000) });
    const view = await waitFor(
      () => order('shop-a', id),
      (o) => o.body.commissionMinor === 0,
    );
    expect(view.body).toMatchObject({
      amountMinor: 0,
      commissionMinor: 0,
      attributions: [{ commissionMinor: 0 }],
    });
  });
});

describe('refusals', () => {
  const valid = () => created(orderId('bad'), { couponCode: 'ANNA10' });
  const now = () => Math.floor(Date.now() / 1000);

  it.each<
    [
      string,
      () => { merchant?: string; body?: unknown; options?: Record<string, unknown>; secret?: string },
      number,
      string,
    ]
  >([
    ['no signature', () => ({ options: { signature: '' } }), 401, 'invalid_signature'],
    [
      'a wrong signature',
      () => ({ options: { signature: 'v1,bm90IHRoZSByaWdodCBzaWduYXR1cmU=' } }),
      401,
      'invalid_signature',
    ],
    ['another merchant’s secret', () => ({ secret: 'shop-b' }), 401, 'invalid_signature'],
    ['an unknown merchant', () => ({ merchant: 'no-such-shop' }), 401, 'invalid_signature'],
    ['a stale timestamp', () => ({ options: { timestamp: now() - 301 } }), 401, 'invalid_signature'],
    ['a future timestamp', () => ({ options: { timestamp: now() + 360 } }), 401, 'invalid_signature'],
    ['malformed JSON', () => ({ body: '{"type": "order.created",' }), 400, 'invalid_body'],
    ['an unknown type', () => ({ body: { ...valid(), type: 'order.updated' } }), 400, 'invalid_body'],
    [
      'a string quantity',
      () => ({ body: { ...valid(), lines: [{ sku: 'a', quantity: '1', unitPriceMinor: 1 }] } }),
      400,
      'invalid_body',
    ],
    [
      'a float price',
      () => ({ body: { ...valid(), lines: [{ sku: 'a', quantity: 1, unitPriceMinor: 19.99 }] } }),
      400,
      'invalid_body',
    ],
    [
      'a negative price',
      () => ({ body: { ...valid(), lines: [{ sku: 'a', quantity: 1, unitPriceMinor: -1 }] } }),
      400,
      'invalid_body',
    ],
    [
      'a zero quantity',
      () => ({ body: { ...valid(), lines: [{ sku: 'a', quantity: 0, unitPriceMinor: 1 }] } }),
      400,
      'invalid_body',
    ],
    ['no lines', () => ({ body: { ...valid(), lines: [] } }), 400, 'invalid_body'],
    [
      '501 lines',
      () => ({
        body: {
          ...valid(),
          lines: Array.from({ length: 501 }, (_, i) => ({ sku: `s${i}`, quantity: 1, unitPriceMinor: 1 })),
        },
      }),
      400,
      'invalid_body',
    ],
    [
      'a total beyond 2^53',
      () => ({
        body: { ...valid(), lines: [{ sku: 'a', quantity: 2, unitPriceMinor: Number.MAX_SAFE_INTEGER }] },
      }),
      400,
      'invalid_body',
    ],
    ['a lower-case currency', () => ({ body: { ...valid(), currency: 'usd' } }), 400, 'invalid_body'],
    [
      'a local time',
      () => ({ body: { ...valid(), occurredAt: '2026-11-03T14:05:00+01:00' } }),
      400,
      'invalid_body',
    ],
    [
      // With a hold, a time past 9999 became a `+010000-` string that sorted before today.
      'a time in the year 9999',
      () => ({ body: { ...valid(), occurredAt: '9999-12-31T00:00:00Z' } }),
      400,
      'invalid_body',
    ],
    [
      'a time before 2000',
      () => ({ body: { ...valid(), occurredAt: '1999-12-31T23:59:59.999Z' } }),
      400,
      'invalid_body',
    ],
    [
      'a refund dated in the year 3000',
      () => ({
        body: {
          type: 'order.refunded',
          orderId: 'A-1',
          occurredAt: '3000-01-01T00:00:00.000Z',
          lines: [{ sku: 'a', quantity: 1 }],
        },
      }),
      400,
      'invalid_body',
    ],
    [
      'an order id over 128 characters',
      () => ({ body: { ...valid(), orderId: 'x'.repeat(129) } }),
      400,
      'invalid_body',
    ],
    [
      'a body over 64 KiB',
      () => ({ body: { ...valid(), padding: 'x'.repeat(65 * 1024) } }),
      413,
      'payload_too_large',
    ],
  ])('refuses %s and writes or queues nothing', async (_, make, status, code) => {
    await stopWorker();
    const before = [
      await scanCount(stores.tables.orders),
      await scanCount(stores.tables.webhookInbox),
      await queueDepth(stores.queues.orders.url),
    ];
    const input = make();
    const merchant = input.merchant ?? 'shop-a';
    const res = await ingest(
      webhookEvent(
        merchant,
        secrets[input.secret ?? merchant] ?? secrets['shop-a'] ?? '',
        input.body ?? valid(),
        input.options,
      ),
      context(),
    );
    expect(res.statusCode).toBe(status);
    const error = JSON.parse(res.body ?? '{}').error;
    expect(error.code).toBe(code);
    if (status === 400) expect(error.issues.length).toBeGreaterThan(0);
    const after = [
      await scanCount(stores.tables.orders),
      await scanCount(stores.tables.webhookInbox),
      await queueDepth(stores.queues.orders.url),
    ];
    expect(after).toEqual(before);
    startWorker();
  });

  it('accepts both secrets during a rotation', async () => {
    const old = secrets['shop-a'] ?? '';
    const rotated = await adminCall('POST', '/admin/merchants/{merchantId}/secrets', undefined, {
      merchantId: 'shop-a',
    });
    const fresh: string = rotated.body.webhookSecret;
    for (const secret of [old, fresh]) {
      const res = await ingest(
        webhookEvent('shop-a', secret, created(orderId('rot'), { couponCode: 'ANNA10' })),
        context(),
      );
      expect(res.statusCode).toBe(202);
    }
  });
});
