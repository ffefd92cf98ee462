/**
 * Reports end to end inside one process, on DynamoDB Local and the SQS emulator: clicks through the
 * redirect handler and orders through the signed webhook, the attribution worker and the orders
 * queue; both tables' streams read by the local stream poller (lib/local/streams.ts) and handed to
 * the aggregator as real DynamoDBStreamEvent batches; the figures read back through the reports
 * handler. Also: replays against the real store, a poller restart, the read cost that does not grow
 * with clicks, validation, and the CSV exports.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { QueuePoller } from '../../lib/local/queues';
import { sdkLocal } from '../../lib/local/stores';
import { localCheckpointStore, type StreamPoller, startStreamPoller } from '../../lib/local/streams';
import { type StreamSpec, streams } from '../../lib/wiring';
import { BROWSER_UA, context, httpEvent, redirectEvent } from '../support/events';
import { type HttpHandler, pollQueue, type SqsHandler, waitFor } from '../support/handlers';
import { useTestStores } from '../support/stores';
import { webhookEvent } from '../support/webhooks';

type Http = HttpHandler;
type SqsWorker = SqsHandler;
type StreamWorker = (e: DynamoDBStreamEvent, c: ReturnType<typeof context>) => Promise<DynamoDBBatchResponse>;

const BOT_UA = 'Googlebot/2.1 (+http://www.google.com/bot.html)';
/** CONTRACT §5: a click shows in reports within 10 seconds. */
const CLICK_TO_REPORT_MS = 10_000;

let stores: Awaited<ReturnType<typeof useTestStores>>;
let admin: Http;
let redirect: Http;
let ingest: Http;
let reports: Http;
let attribution: SqsWorker;
let aggregator: StreamWorker;
let sqs: SQSClient;
let queuePoller: QueuePoller | undefined;
let streamPollers: StreamPoller[] = [];
let checkpoints: Awaited<ReturnType<typeof localCheckpointStore>>;
const secrets: Record<string, string> = {};
const failedBatches: unknown[] = [];
/** DynamoDB calls by command and table, with the items each returned (for the read cost). */
let dynamoCalls: Array<{ command: string; table: string; items: number }> = [];

const today = () => new Date().toISOString().slice(0, 10);

async function call(handler: Http, input: Parameters<typeof httpEvent>[0]) {
  const res = await handler(httpEvent(input), context());
  const isJson = (res.headers?.['content-type'] ?? '').includes('json');
  return {
    status: res.statusCode,
    headers: res.headers ?? {},
    body: isJson && res.body ? JSON.parse(res.body) : undefined,
    text: res.body ?? '',
  };
}

const adminPost = async (route: string, body: unknown) =>
  call(admin, { method: 'POST', route, body, admin: true });

async function influencerReport(influencerId: string, query = '', headers: Record<string, string> = {}) {
  return call(reports, {
    method: 'GET',
    route: '/admin/reports/influencers/{influencerId}',
    path: `/admin/reports/influencers/${influencerId}`,
    pathParameters: { influencerId },
    query,
    headers,
    admin: true,
  });
}

async function merchantReport(merchantId: string, query = '', headers: Record<string, string> = {}) {
  return call(reports, {
    method: 'GET',
    route: '/admin/reports/merchants/{merchantId}',
    path: `/admin/reports/merchants/${merchantId}`,
    pathParameters: { merchantId },
    query,
    headers,
    admin: true,
  });
}

async function createMerchant(merchantId: string) {
  const res = await adminPost('/admin/merchants', {
    merchantId,
    name: merchantId,
    allowedDomains: ['shop.example.com'],
    currency: 'USD',
    commission: { defaultBps: 1000 },
  });
  expect(res.status).toBe(201);
  secrets[merchantId] = res.body.webhookSecret;
}

async function createInfluencer(influencerId: string, couponCodes: string[] = []) {
  expect(
    (
      await adminPost('/admin/influencers', {
        influencerId,
        handle: influencerId,
        name: influencerId,
        couponCodes,
      })
    ).status,
  ).toBe(201);
}

async function createLink(code: string, influencerId: string, merchantId: string) {
  expect(
    (
      await adminPost('/admin/links', {
        code,
        influencerId,
        merchantId,
        targetUrl: 'https://shop.example.com/p',
      })
    ).status,
  ).toBe(201);
}

/** A redirect as a shopper's browser (or a bot) makes it; returns the click id from Location. */
async function click(code: string, visitorId: string, userAgent = BROWSER_UA): Promise<string | undefined> {
  const res = await redirect(redirectEvent(code, visitorId, userAgent), context());
  expect(res.statusCode).toBe(302);
  return new URL(res.headers?.location ?? '').searchParams.get('clk') ?? undefined;
}

function visitor(n: number) {
  return `visitor_${String(n).padStart(20, '0')}`;
}

async function sendOrder(merchantId: string, body: Record<string, unknown>) {
  const res = await ingest(webhookEvent(merchantId, secrets[merchantId] ?? '', body), context());
  expect(res.statusCode).toBe(202);
}

async function orderStatus(merchantId: string, orderId: string) {
  const res = await call(admin, {
    method: 'GET',
    route: '/admin/orders/{merchantId}/{orderId}',
    pathParameters: { merchantId, orderId },
    admin: true,
  });
  return res.body?.status as string | undefined;
}

function startStreams() {
  // The report counters' streams only: the events consumer's are not under test here.
  streamPollers = (Object.entries(streams) as Array<[string, StreamSpec]>)
    .filter(([, spec]) => spec.consumer === 'aggregator')
    .map(([, spec]) =>
      startStreamPoller({
        endpoint: stores.dynamoEndpoint,
        tableName: stores.tables[spec.table],
        spec,
        handler: async () => aggregator,
        checkpoints,
        onError: (err) => console.error('stream poller', err),
        onFailedBatch: (batch) => failedBatches.push(batch),
      }),
    );
}

async function stopStreams() {
  await Promise.all(streamPollers.map((p) => p.stop()));
  streamPollers = [];
}

/** Click records as the clicks table's stream carries them, for driving the aggregator directly. */
let syntheticSeq = 0;
function syntheticClicks(n: number, input: { influencerId: string; code: string; merchantId: string }) {
  const arn = `arn:aws:dynamodb:ddblocal:000000000000:table/${stores.tables.clicks}/stream/2026-11-25T00:00:00.000`;
  return Array.from({ length: n }, (): DynamoDBRecord => {
    syntheticSeq += 1;
    const id = String(syntheticSeq).padStart(21, '0');
    return {
      eventID: `synthetic-${stores.prefix}-${id}`,
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      eventSourceARN: arn,
      dynamodb: {
        Keys: { clickId: { S: `SYN${id}` } },
        NewImage: {
          clickId: { S: `SYN${id}` },
          code: { S: input.code },
          influencerId: { S: input.influencerId },
          merchantId: { S: input.merchantId },
          visitorId: { S: `v${syntheticSeq}` },
          occurredAt: { S: new Date().toISOString() },
          device: { S: 'desktop' },
          ipHash: { S: 'h' },
          bot: { BOOL: false },
        },
        SequenceNumber: id,
        SizeBytes: 200,
        StreamViewType: 'NEW_IMAGE',
      },
    };
  });
}

async function aggregate(records: DynamoDBRecord[]) {
  for (let i = 0; i < records.length; i += 100) {
    expect(await aggregator({ Records: records.slice(i, i + 100) }, context('aggregator'))).toEqual({
      batchItemFailures: [],
    });
  }
}

beforeAll(async () => {
  stores = await useTestStores('reports', {}, { visibilityTimeoutSeconds: 1 });
  sqs = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  const aws = await import('../../functions/common/clients/aws');
  aws.dynamo().middlewareStack.add(
    (next, ctx) => async (args) => {
      const result = await next(args);
      const input = args.input as { TableName?: string };
      const output = result.output as { Count?: number; Item?: unknown };
      dynamoCalls.push({
        command: String(ctx.commandName),
        table: input.TableName ?? '-',
        items: output.Count ?? (output.Item ? 1 : 0),
      });
      return result;
    },
    { step: 'initialize', name: 'countCalls' },
  );
  const { logger } = await import('../../functions/common/logger');
  logger.setLogLevel('ERROR');
  admin = (await import('../../functions/admin/handler')).handler as unknown as Http;
  redirect = (await import('../../functions/redirect/handler')).handler as unknown as Http;
  ingest = (await import('../../functions/ingest/handler')).handler as unknown as Http;
  const reportsHandler = (await import('../../functions/reports/handler')).handler as unknown as Http;
  reports = reportsHandler;
  attribution = (await import('../../functions/attribution/handler')).handler as unknown as SqsWorker;
  aggregator = (await import('../../functions/aggregator/handler')).handler as unknown as StreamWorker;

  checkpoints = await localCheckpointStore(stores.dynamoEndpoint, `${stores.prefix}-stream-checkpoints`);
  queuePoller = pollQueue(sqs, stores.queues.orders, 'orders', attribution);
  startStreams();

  await createMerchant('shop-r');
  await createMerchant('shop-s');
  await createInfluencer('anna-r', ['ANNAR10']);
  await createInfluencer('bea-r');
  await createLink('anna-r-1', 'anna-r', 'shop-r');
  await createLink('anna-r-2', 'anna-r', 'shop-r');
  await createLink('bea-r-1', 'bea-r', 'shop-r');
  await createLink('anna-s-1', 'anna-r', 'shop-s');
});

afterAll(async () => {
  await stopStreams();
  await queuePoller?.stop();
  checkpoints.close();
  sqs.destroy();
});

afterEach(() => {
  expect(failedBatches).toEqual([]);
});

describe('clicks through the stream poller', () => {
  test('clicks, bot clicks, visitors and link rows show in the influencer report within 10 seconds', async () => {
    await click('anna-r-1', visitor(1));
    await click('anna-r-1', visitor(1)); // a duplicate click of the same visitor still counts
    await click('anna-r-2', visitor(2));
    await click('anna-r-1', visitor(3), BOT_UA);
    const started = Date.now();
    const report = await waitFor(
      () => influencerReport('anna-r'),
      (r) => r.body?.clicks === 3 && r.body?.botClicks === 1,
      CLICK_TO_REPORT_MS,
    );
    expect(Date.now() - started).toBeLessThanOrEqual(CLICK_TO_REPORT_MS + 1_000);
    expect(report.status).toBe(200);
    expect(report.body).toEqual({
      influencerId: 'anna-r',
      from: expect.any(String),
      to: today(),
      clicks: 3,
      botClicks: 1,
      uniqueVisitors: 2,
      storefrontViews: 0,
      currencies: [],
      byLink: [
        { code: 'anna-r-1', clicks: 2, botClicks: 1, uniqueVisitors: 1, currencies: [] },
        { code: 'anna-r-2', clicks: 1, botClicks: 0, uniqueVisitors: 1, currencies: [] },
      ],
    });
  });

  test('storefront views (view events in the clicks table) count as storefrontViews, not clicks', async () => {
    const { storefrontViewRepo, STOREFRONT_VIEW_KIND } = await import(
      '../../functions/common/repos/storefronts'
    );
    const views = storefrontViewRepo(stores.tables.clicks);
    const { monotonicFactory } = await import('ulid');
    const id = monotonicFactory();
    for (let i = 0; i < 2; i++) {
      await views.put({
        clickId: id(),
        itemType: STOREFRONT_VIEW_KIND,
        handle: 'bea-r',
        influencerId: 'bea-r',
        occurredAt: new Date().toISOString(),
        device: 'mobile',
        expiresAt: Math.floor(Date.now() / 1000) + 3600,
      });
    }
    await click('bea-r-1', visitor(9));
    const report = await waitFor(
      () => influencerReport('bea-r'),
      (r) => r.body?.storefrontViews === 2 && r.body?.clicks === 1,
    );
    expect(report.body).toMatchObject({ clicks: 1, storefrontViews: 2, uniqueVisitors: 1 });
  });
});

describe('orders through the webhook, the attribution worker and the orders stream', () => {
  test('orders, revenue and commission per currency and per link; a refund shrinks them on the order day', async () => {
    const clickId = await click('anna-r-2', visitor(20));
    const clickOther = await click('bea-r-1', visitor(21));
    const occurredAt = new Date(Date.now() + 1000).toISOString();
    const lines = [{ sku: 'SKU-1', quantity: 2, unitPriceMinor: 2500 }];
    await sendOrder('shop-r', {
      type: 'order.created',
      orderId: 'R-1',
      occurredAt,
      currency: 'USD',
      clickId,
      lines,
    });
    await sendOrder('shop-r', {
      type: 'order.created',
      orderId: 'R-2',
      occurredAt,
      currency: 'EUR',
      clickId: clickOther,
      lines: [{ sku: 'SKU-9', quantity: 1, unitPriceMinor: 999 }],
    });
    // A coupon order: credited to anna without a click, so in her totals but in no link.
    await sendOrder('shop-r', {
      type: 'order.created',
      orderId: 'R-3',
      occurredAt,
      currency: 'USD',
      couponCode: 'annar10',
      lines: [{ sku: 'SKU-2', quantity: 1, unitPriceMinor: 1000 }],
    });
    for (const id of ['R-1', 'R-2', 'R-3']) {
      expect(
        await waitFor(
          () => orderStatus('shop-r', id),
          (s) => s === 'credited',
        ),
      ).toBe('credited');
    }

    const anna = await waitFor(
      () => influencerReport('anna-r'),
      (r) => r.body?.clicks === 4 && r.body?.currencies?.[0]?.commissionMinor === 600,
    );
    expect(anna.body.currencies).toEqual([
      // 4 non-bot clicks so far: 2 orders / 4 clicks = 5000 bps; 600 / 4 = 150 minor per click.
      {
        currency: 'USD',
        orders: 2,
        revenueMinor: 6000,
        commissionMinor: 600,
        conversionRateBps: 5000,
        epcMinor: 150,
      },
    ]);
    expect(anna.body.byLink).toContainEqual({
      code: 'anna-r-2',
      clicks: 2,
      botClicks: 0,
      uniqueVisitors: 2,
      currencies: [
        {
          currency: 'USD',
          orders: 1,
          revenueMinor: 5000,
          commissionMinor: 500,
          conversionRateBps: 5000,
          epcMinor: 250,
        },
      ],
    });

    const shop = await waitFor(
      () => merchantReport('shop-r'),
      (r) => r.body?.byInfluencer?.length === 2 && r.body?.currencies?.length === 2,
    );
    expect(shop.body.currencies).toEqual([
      {
        currency: 'EUR',
        orders: 1,
        revenueMinor: 999,
        commissionMinor: 100,
        conversionRateBps: 1667,
        epcMinor: 17,
        flatFeesMinor: 0,
        spendMinor: 100,
        returnOnSpendBps: 99_900,
        returnOnSpend: '9.99',
      },
      {
        currency: 'USD',
        orders: 2,
        revenueMinor: 6000,
        commissionMinor: 600,
        conversionRateBps: 3333,
        epcMinor: 100,
        flatFeesMinor: 0,
        spendMinor: 600,
        returnOnSpendBps: 100_000,
        returnOnSpend: '10.00',
      },
    ]);
    expect(
      shop.body.byInfluencer.map((r: { influencerId: string; clicks: number }) => [r.influencerId, r.clicks]),
    ).toEqual([
      ['anna-r', 4],
      ['bea-r', 2],
    ]);

    // Refund one of the two units of R-1: revenue 5000 → 2500, commission 500 → 250, still one order.
    await sendOrder('shop-r', {
      type: 'order.refunded',
      orderId: 'R-1',
      occurredAt: new Date(Date.now() + 2000).toISOString(),
      lines: [{ sku: 'SKU-1', quantity: 1 }],
    });
    const refunded = await waitFor(
      () => influencerReport('anna-r'),
      (r) => r.body?.currencies?.[0]?.commissionMinor === 350,
    );
    expect(refunded.body.currencies[0]).toMatchObject({
      orders: 2,
      revenueMinor: 3500,
      commissionMinor: 350,
    });
    expect(
      refunded.body.byLink.find((l: { code: string }) => l.code === 'anna-r-2')?.currencies[0],
    ).toMatchObject({ orders: 1, revenueMinor: 2500, commissionMinor: 250 });
  });
});

describe('exactly once on the real store', () => {
  test('a replayed batch, and one wider than a transaction, are each counted once', async () => {
    await createInfluencer('cleo-r');
    await createLink('cleo-r-1', 'cleo-r', 'shop-s');
    const batch = syntheticClicks(40, { influencerId: 'cleo-r', code: 'cleo-r-1', merchantId: 'shop-s' });
    await aggregate(batch);
    await aggregate(batch); // delivered again
    // 120 links: 123 counter items, so two transactions of at most 100 actions.
    const wide = Array.from({ length: 120 }, (_, i) =>
      syntheticClicks(1, { influencerId: 'cleo-r', code: `cleo-w-${i}`, merchantId: 'shop-s' }),
    ).flat();
    await aggregate(wide);
    // Delivered again from the same checkpoint but shorter, then onwards from where that one ended
    // (inside the first transaction's records).
    await aggregate(wide.slice(0, 70));
    await aggregate(wide.slice(70));
    const report = await influencerReport('cleo-r');
    expect(report.body).toMatchObject({ clicks: 160, botClicks: 0 });
    expect(report.body.byLink).toHaveLength(121);
  });

  test('a restarted poller resumes from its checkpoint: earlier clicks are not counted again', async () => {
    const before = (
      await waitFor(
        () => influencerReport('bea-r'),
        (r) => r.body?.clicks === 2,
      )
    ).body.clicks;
    await stopStreams();
    await click('bea-r-1', visitor(30)); // written while no poller runs
    startStreams();
    const after = await waitFor(
      () => influencerReport('bea-r'),
      (r) => r.body?.clicks === before + 1,
    );
    expect(after.body.clicks).toBe(before + 1);
    await new Promise((r) => setTimeout(r, 1500)); // a few more polls: nothing else arrives
    expect((await influencerReport('bea-r')).body.clicks).toBe(before + 1);
  });
});

describe('read cost', () => {
  test('a report reads the same items with the same calls for 100 and for 10,000 clicks', async () => {
    await createInfluencer('few-r');
    await createInfluencer('many-r');
    await createLink('few-r-1', 'few-r', 'shop-s');
    await createLink('many-r-1', 'many-r', 'shop-s');
    await aggregate(syntheticClicks(100, { influencerId: 'few-r', code: 'few-r-1', merchantId: 'shop-s' }));
    await aggregate(
      syntheticClicks(10_000, { influencerId: 'many-r', code: 'many-r-1', merchantId: 'shop-s' }),
    );

    // The background pollers would add their own calls: stop them while counting.
    await stopStreams();
    try {
      const cost = async (influencerId: string) => {
        dynamoCalls = [];
        const report = await influencerReport(influencerId, `from=${today()}&to=${today()}`);
        return { report: report.body, calls: dynamoCalls };
      };
      const few = await cost('few-r');
      const many = await cost('many-r');
      expect(few.report.clicks).toBe(100);
      expect(many.report.clicks).toBe(10_000);
      expect(Math.abs(many.report.uniqueVisitors - 10_000) / 10_000).toBeLessThan(0.07);
      const shape = (calls: typeof dynamoCalls) => calls.map(({ command, items }) => ({ command, items }));
      expect(shape(many.calls)).toEqual(shape(few.calls));
      // One read of the influencer, one Query returning the day's total and its one link.
      expect(shape(few.calls)).toEqual([
        { command: expect.stringMatching(/^Get/), items: 1 },
        { command: 'QueryCommand', items: 2 },
      ]);
    } finally {
      startStreams();
    }
  });
});

describe('the routes', () => {
  test('CSV with Accept: text/csv or format=csv', async () => {
    const viaAccept = await influencerReport('anna-r', '', { accept: 'text/csv' });
    expect(viaAccept.status).toBe(200);
    expect(viaAccept.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(viaAccept.headers['content-disposition']).toMatch(
      /^attachment; filename="influencer-anna-r-.*\.csv"$/,
    );
    const lines = viaAccept.text.split('\r\n');
    expect(lines[0]).toMatch(
      /^from,to,influencerId,code,clicks,botClicks,uniqueVisitors,storefrontViews,currency,/,
    );
    expect(lines[1]).toMatch(new RegExp(`,${today()},anna-r,,`));

    const viaFormat = await merchantReport('shop-r', 'format=csv');
    expect(viaFormat.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(viaFormat.text.split('\r\n')[0]).toMatch(/,returnOnSpendBps,returnOnSpend$/);
    // format=json wins over the Accept header.
    expect((await merchantReport('shop-r', 'format=json', { accept: 'text/csv' })).body.merchantId).toBe(
      'shop-r',
    );
  });

  test.each([
    ['from=2026-11-02&to=2026-11-01', 'from'],
    ['from=2025-01-01&to=2026-02-05', 'to'],
    ['from=2026-02-30', 'from'],
    ['to=last-week', 'to'],
    ['from=1999-12-31', 'from'],
    ['to=3000-01-01', 'to'],
    ['to=9999-12-31T00:00:00.000Z', 'to'],
    ['format=xml', 'format'],
  ])('?%s is a 400 naming %s', async (query, path) => {
    const res = await influencerReport('anna-r', query);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'invalid_query',
      issues: [expect.objectContaining({ path })],
    });
  });

  test('400 days are accepted; ISO times stand for their day', async () => {
    const res = await merchantReport('shop-r', 'from=2025-10-22T10:00:00.000Z&to=2026-11-25T23:59:59.999Z');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: '2025-10-22', to: '2026-11-25' });
  });

  test('401 without the admin token, 404 for unknown ids, 400 for malformed ones', async () => {
    const anonymous = await call(reports, {
      method: 'GET',
      route: '/admin/reports/influencers/{influencerId}',
      pathParameters: { influencerId: 'anna-r' },
    });
    expect(anonymous.status).toBe(401);
    expect((await influencerReport('nobody-r')).status).toBe(404);
    expect((await merchantReport('no-shop')).status).toBe(404);
    expect((await influencerReport('x')).status).toBe(400);
  });
});
