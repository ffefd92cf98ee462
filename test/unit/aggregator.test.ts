/**
 * The stream aggregator against an in-memory counters store with the real store's contract
 * (aggregator-fakes.ts): what clicks, views and order changes add, and that each record is counted
 * exactly once however Lambda (re)delivers it — a replayed batch, a replay spanning earlier batches,
 * a failed chunk, a lost answer, a crash after some chunks, conflicts — including a property test
 * that drives random delivery schedules the way an event source mapping can.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import {
  type AggregatorDeps,
  aggregateBatch,
  planChunks,
  SketchCompactor,
} from '../../functions/aggregator/aggregate';
import type { ResolvedLookups } from '../../functions/aggregator/lookups';
import { estimateDistinct, maximalElements, sketchElement } from '../../functions/common/domain/hyperloglog';
import type { OrderShareFact } from '../../functions/common/domain/report-counters';
import { logger } from '../../functions/common/logger';
import { type CommitFault, MemoryCounters, streamRecord } from './aggregator-fakes';

// Skipped and replayed records are logged on purpose; the tests check the counters instead.
beforeAll(() => logger.setLogLevel('SILENT'));
// The Clicks metric lines are checked by their own tests (emfLinesOf), and kept off the output elsewhere.
beforeAll(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});
afterAll(() => {
  delete process.env.POWERTOOLS_METRICS_DISABLED;
});

type EmfLine = Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][] }> } };

/** The EMF lines written to stdout while `run` runs, with metrics enabled. */
async function emfLinesOf(run: () => Promise<unknown>): Promise<EmfLine[]> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  try {
    await run();
  } finally {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    spy.mockRestore();
  }
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as EmfLine)
    .filter((line) => '_aws' in line);
}

/** The Clicks counted in the lines, by kind; every line must be the redirect's Clicks series. */
function clicksOf(lines: readonly EmfLine[]): Record<string, number> {
  const counted: Record<string, number> = {};
  for (const line of lines) {
    expect(line).toMatchObject({
      service: 'creditlink-redirect',
      _aws: {
        CloudWatchMetrics: [{ Namespace: 'Creditlink', Metrics: [{ Name: 'Clicks', Unit: 'Count' }] }],
      },
    });
    expect(line._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([expect.arrayContaining(['service', 'kind'])]);
    const kind = String(line.kind);
    counted[kind] = (counted[kind] ?? 0) + Number(line.Clicks);
  }
  return counted;
}

const TABLES = { clicks: 'test-clicks', orders: 'test-orders' };
const DAY = '2026-11-03';

let clickSeq = 0;
function click(input: {
  code?: string;
  influencerId?: string;
  merchantId?: string;
  visitorId?: string;
  bot?: boolean;
  occurredAt?: string;
}): DynamoDBRecord {
  clickSeq += 1;
  const clickId = `01JCLICK${String(clickSeq).padStart(18, '0')}`;
  return streamRecord({
    table: TABLES.clicks,
    eventName: 'INSERT',
    keys: { clickId },
    newImage: {
      clickId,
      code: input.code ?? 'anna-1',
      influencerId: input.influencerId ?? 'anna',
      merchantId: input.merchantId ?? 'shop',
      // As the clicks repo stores them: a bot's visitor is kept outside the visitor index.
      [input.bot ? 'botVisitorId' : 'visitorId']: input.visitorId ?? `visitor-${clickSeq}`,
      occurredAt: input.occurredAt ?? `${DAY}T12:00:00.000Z`,
      device: 'desktop',
      ipHash: 'h',
      bot: input.bot ?? false,
      expiresAt: 1,
    },
  });
}

function setup(
  options: {
    codes?: Record<string, string>;
    orders?: Record<string, { occurredAt: string; shares: OrderShareFact[] }>;
  } = {},
) {
  const counters = new MemoryCounters();
  const resolved: string[] = [];
  const deps: AggregatorDeps = {
    counters,
    tables: TABLES,
    resolve: async (needs): Promise<ResolvedLookups> => {
      resolved.push(...needs.clickIds);
      const orders = [...needs.orders];
      return {
        codeOf: (clickId) => (clickId ? options.codes?.[clickId] : undefined),
        orderOf: (merchantId, orderId) => options.orders?.[`${merchantId}/${orderId}`],
        missingOrders: orders.filter(([m, o]) => !options.orders?.[`${m}/${o}`]),
      };
    },
    compactor: new SketchCompactor(counters),
    now: () => new Date(`${DAY}T12:00:00.000Z`),
    pause: async () => undefined,
  };
  const run = (records: readonly DynamoDBRecord[], remainingMs = 60_000) =>
    aggregateBatch(deps, records, () => remainingMs);
  return { counters, deps, run, resolved };
}

/** The counters after counting every record exactly once, in one clean pass. */
async function exactlyOnce(records: readonly DynamoDBRecord[]) {
  const { counters, run } = setup();
  for (let i = 0; i < records.length; i += 100) {
    expect(await run(records.slice(i, i + 100))).toEqual({ batchItemFailures: [] });
  }
  return counters.snapshot();
}

const seqOf = (r: DynamoDBRecord | undefined) => r?.dynamodb?.SequenceNumber ?? '';

describe('clicks and storefront views', () => {
  test('a click adds to its link, influencer, merchant and merchant × influencer, bots apart', async () => {
    const { counters, run } = setup();
    const records = [
      click({ visitorId: 'v1' }),
      click({ visitorId: 'v1' }), // a duplicate click still counts (CONTRACT §5)
      click({ visitorId: 'v2', code: 'anna-2' }),
      click({ visitorId: 'bot', bot: true }),
      click({ visitorId: 'v3', influencerId: 'bea', code: 'bea-1', occurredAt: '2026-11-04T00:00:00.000Z' }),
    ];
    expect(await run(records)).toEqual({ batchItemFailures: [] });
    expect(counters.get('INF#anna', `D#${DAY}`)).toMatchObject({ clicks: 3, botClicks: 1 });
    expect(counters.get('INF#anna', `D#${DAY}#L#anna-1`)).toMatchObject({ clicks: 2, botClicks: 1 });
    expect(counters.get('INF#anna', `D#${DAY}#L#anna-2`)).toMatchObject({ clicks: 1 });
    expect(counters.get('MER#shop', `D#${DAY}`)).toMatchObject({ clicks: 3, botClicks: 1 });
    expect(counters.get('MER#shop', `D#${DAY}#I#anna`)).toMatchObject({ clicks: 3, botClicks: 1 });
    expect(counters.get('INF#bea', 'D#2026-11-04')).toMatchObject({ clicks: 1 });
    expect(counters.get('MER#shop', 'D#2026-11-04')).toMatchObject({ clicks: 1 });
    // Visitors: non-bot ones only, on influencer and link items, not on merchant items.
    const sketch = counters.get('INF#anna', `D#${DAY}`)?.visitors;
    expect(sketch instanceof Set && estimateDistinct(sketch)).toBe(2);
    expect(counters.get('MER#shop', `D#${DAY}`)?.visitors).toBeUndefined();
    // One transaction for the whole batch.
    expect(counters.commits).toBe(1);
  });

  test('storefront views count as storefrontViews, never as clicks; TTL deletions count nothing', async () => {
    const { counters, run } = setup();
    const view = streamRecord({
      table: TABLES.clicks,
      eventName: 'INSERT',
      keys: { clickId: '01JVIEW0000000000000000001' },
      newImage: {
        clickId: '01JVIEW0000000000000000001',
        itemType: 'storefront_view',
        handle: 'anna',
        influencerId: 'anna',
        occurredAt: `${DAY}T09:00:00.000Z`,
        viewerId: 'v1',
        device: 'mobile',
        expiresAt: 1,
      },
    });
    const expired = streamRecord({
      table: TABLES.clicks,
      eventName: 'REMOVE',
      keys: { clickId: 'old' },
      oldImage: {
        clickId: 'old',
        code: 'anna-1',
        influencerId: 'anna',
        merchantId: 'shop',
        visitorId: 'v',
        occurredAt: `${DAY}T00:00:00.000Z`,
        bot: false,
      },
    });
    await run([
      view,
      view.eventID
        ? { ...view, eventID: 'another-view', dynamodb: { ...view.dynamodb, SequenceNumber: '9' } }
        : view,
      expired,
    ]);
    expect(counters.get('INF#anna', `D#${DAY}`)).toEqual({ storefrontViews: 2 });
    expect(counters.snapshot()).toEqual({ [`INF#anna|D#${DAY}`]: { storefrontViews: 2 } });
  });

  test('unreadable records and records of other tables are skipped; the rest is counted', async () => {
    const { counters, run } = setup();
    const broken = streamRecord({
      table: TABLES.clicks,
      eventName: 'INSERT',
      keys: { clickId: 'x' },
      newImage: { clickId: 'x' },
    });
    const foreign = { ...click({}), eventSourceARN: 'arn:aws:dynamodb:us-east-1:0:table/other/stream/x' };
    expect(await run([broken, foreign, click({})])).toEqual({ batchItemFailures: [] });
    expect(counters.get('INF#anna', `D#${DAY}`)).toMatchObject({ clicks: 1 });
  });
});

describe('the Clicks metric', () => {
  test('a batch writes one line per kind, counting its clicks; views and orders are not clicks', async () => {
    const { run } = setup({ codes: {} });
    const view = streamRecord({
      table: TABLES.clicks,
      eventName: 'INSERT',
      keys: { clickId: '01JVIEW0000000000000000002' },
      newImage: {
        clickId: '01JVIEW0000000000000000002',
        itemType: 'storefront_view',
        handle: 'anna',
        influencerId: 'anna',
        occurredAt: `${DAY}T09:00:00.000Z`,
        viewerId: 'v1',
        device: 'mobile',
        expiresAt: 1,
      },
    });
    const records = [click({}), click({ bot: true }), view, click({ code: 'anna-2' }), click({})];
    const lines = await emfLinesOf(() => run(records));
    expect(lines).toHaveLength(2);
    expect(clicksOf(lines)).toEqual({ human: 3, bot: 1 });
  });

  test('a batch of storefront views only writes no metric line', async () => {
    const { run } = setup();
    const view = streamRecord({
      table: TABLES.clicks,
      eventName: 'INSERT',
      keys: { clickId: '01JVIEW0000000000000000003' },
      newImage: {
        clickId: '01JVIEW0000000000000000003',
        itemType: 'storefront_view',
        handle: 'anna',
        influencerId: 'anna',
        occurredAt: `${DAY}T09:00:00.000Z`,
        viewerId: 'v1',
        expiresAt: 1,
      },
    });
    expect(await emfLinesOf(() => run([view]))).toEqual([]);
  });

  test('a replayed batch is not counted again; a chunk left for a retry is counted by the retry', async () => {
    const { counters, run } = setup();
    const batch = [click({}), click({ bot: true })];
    expect(clicksOf(await emfLinesOf(() => run(batch)))).toEqual({ human: 1, bot: 1 });
    expect(await emfLinesOf(() => run(batch))).toEqual([]);

    // 120 clicks on 120 links: two chunks, the second fails once.
    const wide = Array.from({ length: 120 }, (_, i) => click({ code: `m-${i}`, visitorId: `w${i}` }));
    const commitsBefore = counters.commits;
    counters.fault = (call) => (call === commitsBefore + 2 ? 'errorBeforeWrite' : undefined);
    let answer: Awaited<ReturnType<typeof run>> | undefined;
    const first = clicksOf(
      await emfLinesOf(async () => {
        answer = await run(wide);
      }),
    );
    const failed = answer?.batchItemFailures[0]?.itemIdentifier;
    const from = wide.findIndex((r) => seqOf(r) === failed);
    expect(from).toBeGreaterThan(0);
    expect(first).toEqual({ human: from });
    const retry = clicksOf(await emfLinesOf(() => run(wide.slice(from))));
    expect(retry).toEqual({ human: wide.length - from });
  });
});

describe('exactly once under redelivery', () => {
  test('a replayed batch is not counted twice (and costs one marker read, no write)', async () => {
    const { counters, run } = setup();
    const batch = [click({}), click({ bot: true }), click({ code: 'anna-2' })];
    await run(batch);
    const once = counters.snapshot();
    const commits = counters.commits;
    expect(await run(batch)).toEqual({ batchItemFailures: [] });
    expect(counters.snapshot()).toEqual(once);
    expect(counters.commits).toBe(commits);
    expect(counters.markerReads).toBe(2);
  });

  test('a replay spanning two earlier batches and new records counts only the new ones', async () => {
    const records = Array.from({ length: 120 }, (_, i) =>
      click({ code: `anna-${i % 7}`, visitorId: `v${i % 13}` }),
    );
    const { counters, run } = setup();
    await run(records.slice(0, 50));
    await run(records.slice(50, 100));
    // Lambda's rare duplicate delivery, from an older checkpoint, with newer records after it.
    expect(await run(records.slice(0, 120))).toEqual({ batchItemFailures: [] });
    expect(counters.snapshot()).toEqual(await exactlyOnce(records));
  });

  // 120 clicks on 120 links change 123 counter items: two chunks (at most 99 per transaction).
  const wide = () => Array.from({ length: 120 }, (_, i) => click({ code: `link-${i}`, visitorId: `v${i}` }));

  test('a batch wider than a transaction is split into chunks of consecutive records', () => {
    const { deps } = setup();
    void deps;
    const entries = wide().map((record, i) => ({
      record,
      eventId: record.eventID ?? '',
      sequenceNumber: seqOf(record),
      contributions: [
        { key: { pk: 'INF#anna', sk: `D#${DAY}` }, add: { clicks: 1 }, visitors: [] },
        { key: { pk: 'INF#anna', sk: `D#${DAY}#L#link-${i}` }, add: { clicks: 1 }, visitors: [] },
      ],
    }));
    const chunks = planChunks(entries);
    expect(chunks.map((c) => c.recordIds.length)).toEqual([98, 22]);
    expect(chunks.map((c) => c.updates.length)).toEqual([99, 23]);
    expect(chunks[1]?.markerId).toBe(entries[98]?.eventId);
  });

  test('a chunk that fails is reported from its first record; the retry does not recount the first', async () => {
    const records = wide();
    const { counters, run } = setup();
    counters.fault = (call) => (call === 2 ? 'errorBeforeWrite' : undefined);
    const response = await run(records);
    expect(response.batchItemFailures).toHaveLength(1);
    const from = records.findIndex((r) => seqOf(r) === response.batchItemFailures[0]?.itemIdentifier);
    expect(from).toBeGreaterThan(0);
    expect(await run(records.slice(from))).toEqual({ batchItemFailures: [] });
    expect(counters.snapshot()).toEqual(await exactlyOnce(records));
  });

  test('a chunk committed whose answer was lost is recognised by its marker on the retry', async () => {
    const records = wide();
    const { counters, run } = setup();
    counters.fault = (call) => (call === 2 ? 'errorAfterWrite' : undefined);
    const response = await run(records);
    const from = records.findIndex((r) => seqOf(r) === response.batchItemFailures[0]?.itemIdentifier);
    expect(await run(records.slice(from))).toEqual({ batchItemFailures: [] });
    expect(counters.snapshot()).toEqual(await exactlyOnce(records));
  });

  test('a function that died after its first chunk is redelivered whole, with newer records', async () => {
    const records = [...wide(), click({}), click({})];
    const { counters, run } = setup();
    counters.fault = (call) => (call === 2 ? 'errorBeforeWrite' : undefined);
    await run(records.slice(0, 120)); // chunk 1 committed; then Lambda saw the function die
    expect(await run(records)).toEqual({ batchItemFailures: [] });
    expect(counters.snapshot()).toEqual(await exactlyOnce(records));
  });

  test('a transaction conflict on a shared counter item is retried in place', async () => {
    const records = [click({}), click({})];
    const { counters, run } = setup();
    counters.fault = (call) => (call <= 2 ? 'conflict' : undefined);
    expect(await run(records)).toEqual({ batchItemFailures: [] });
    expect(counters.get('INF#anna', `D#${DAY}`)).toMatchObject({ clicks: 2 });
  });

  test('with too little time left, nothing is started and the batch is handed back', async () => {
    const records = [click({})];
    const { counters, run } = setup();
    expect(await run(records, 1_000)).toEqual({ batchItemFailures: [{ itemIdentifier: seqOf(records[0]) }] });
    expect(counters.commits).toBe(0);
  });

  test('any delivery schedule an event source mapping can produce counts every record once (property)', async () => {
    const records = Array.from({ length: 160 }, (_, i) =>
      click({
        code: `l-${i % 110}`,
        influencerId: i % 3 ? 'anna' : 'bea',
        visitorId: `v${i % 17}`,
        bot: i % 11 === 0,
      }),
    );
    const expected = await exactlyOnce(records);
    const step = fc.record({
      size: fc.integer({ min: 1, max: 100 }),
      fault: fc.constantFrom<CommitFault | undefined>(
        undefined,
        undefined,
        undefined,
        'conflict',
        'errorBeforeWrite',
        'errorAfterWrite',
      ),
      crash: fc.integer({ min: 0, max: 99 }).map((n) => n < 15),
      rewindTo: fc.option(fc.nat(), { freq: 8 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 20 }), async (steps) => {
        const { counters, run } = setup();
        let checkpoint = 0;
        const checkpoints = [0];
        let faultOf: CommitFault | undefined;
        counters.fault = () => {
          const f = faultOf;
          faultOf = undefined; // one fault per invocation at most
          return f;
        };
        for (let i = 0; checkpoint < records.length; i++) {
          if (i > 400) throw new Error('no progress');
          const s = steps[i % steps.length] ?? { size: 100, fault: undefined, crash: false, rewindTo: null };
          faultOf = i < 200 ? s.fault : undefined;
          const response = await run(records.slice(checkpoint, checkpoint + s.size));
          if (s.crash && i < 200) continue; // died: the same checkpoint is delivered again
          const failed = response.batchItemFailures[0]?.itemIdentifier;
          checkpoint = failed
            ? records.findIndex((r) => seqOf(r) === failed)
            : Math.min(records.length, checkpoint + s.size);
          checkpoints.push(checkpoint);
          if (s.rewindTo !== null && i < 200)
            checkpoint = checkpoints[s.rewindTo % checkpoints.length] ?? checkpoint;
        }
        expect(counters.snapshot()).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });
});

describe('orders, credits and clawbacks', () => {
  const orderDay = '2026-11-03';
  const occurredAt = `${orderDay}T10:00:00.000Z`;
  const key = { pk: 'ORDER#shop#A-1', sk: 'ROOT' };
  const shares = [
    { influencerId: 'anna', weightBps: 5000, clickId: 'click-anna', clickIds: ['click-anna'] },
    { influencerId: 'bea', weightBps: 5000, clickIds: [] }, // a coupon share: no click, no link
  ];
  const root = (extra: Record<string, unknown>) => ({
    ...key,
    merchantId: 'shop',
    orderId: 'A-1',
    currency: 'USD',
    occurredAt,
    originalAmountMinor: 1001,
    ...extra,
  });
  const credit = (influencerId: string, amountMinor: number, extra: Record<string, unknown> = {}) => ({
    pk: key.pk,
    sk: `CREDIT#${influencerId}`,
    merchantId: 'shop',
    orderId: 'A-1',
    influencerId,
    currency: 'USD',
    amountMinor,
    weightBps: 5000,
    occurredAt,
    status: 'unpaid',
    ...(influencerId === 'anna' ? { clickId: 'click-anna' } : {}),
    ...extra,
  });
  const change = (
    eventName: 'INSERT' | 'MODIFY',
    oldImage: Record<string, unknown> | undefined,
    newImage: Record<string, unknown>,
  ) =>
    streamRecord({
      table: TABLES.orders,
      eventName,
      keys: { pk: String(newImage.pk), sk: String(newImage.sk) },
      newImage,
      ...(oldImage ? { oldImage } : {}),
    });

  const pending = root({ status: 'pending', amountMinor: 1001 });
  const credited = root({ status: 'credited', amountMinor: 1001, shares, commissionMinor: 200 });
  const refunded = root({ status: 'credited', amountMinor: 600, shares, commissionMinor: 120 });
  const lifecycle = [
    change('INSERT', undefined, pending), // the ingest's stub: nothing to count yet
    change('MODIFY', pending, credited),
    change('INSERT', undefined, credit('anna', 100)),
    change('INSERT', undefined, credit('bea', 100)),
    // A refund, days later: revenue and commission shrink on the ORDER's day.
    change('MODIFY', credited, refunded),
    change('MODIFY', credit('anna', 100), credit('anna', 60)),
    change('MODIFY', credit('bea', 100), credit('bea', 60, { status: 'paid' })),
    // Paying a credit changes no figure.
    change('MODIFY', credit('anna', 60), credit('anna', 60, { status: 'paid', payoutId: 'p1' })),
    // A clawback of a paid credit, dated by its refund (later), counted on the order's day.
    streamRecord({
      table: TABLES.orders,
      eventName: 'INSERT',
      keys: { pk: key.pk, sk: 'ADJ#anna#evt-2' },
      newImage: {
        pk: key.pk,
        sk: 'ADJ#anna#evt-2',
        merchantId: 'shop',
        orderId: 'A-1',
        influencerId: 'anna',
        currency: 'USD',
        eventId: 'evt-2',
        amountMinor: -10,
        occurredAt: '2026-12-20T00:00:00.000Z',
        status: 'unpaid',
      },
    }),
    // A refund event item: nothing to count.
    change('INSERT', undefined, {
      pk: key.pk,
      sk: 'EVENT#evt-2',
      eventId: 'evt-2',
      type: 'order.refunded',
      occurredAt: '2026-12-20T00:00:00.000Z',
      lines: [],
    }),
  ];
  const lookups = {
    codes: { 'click-anna': 'anna-1' },
    orders: {
      'shop/A-1': {
        occurredAt,
        shares: [
          { influencerId: 'anna', weightBps: 5000, clickId: 'click-anna' },
          { influencerId: 'bea', weightBps: 5000 },
        ],
      },
    },
  };

  test('orders +1 per credited influencer; revenue split by weight to the unit; commission and clawbacks', async () => {
    const { counters, run, resolved } = setup(lookups);
    expect(await run(lifecycle)).toEqual({ batchItemFailures: [] });
    expect(counters.snapshot()).toEqual({
      // 1001 → 501 + 500 when credited; 600 → 300 + 300 after the refund.
      [`INF#anna|D#${orderDay}`]: { orders_USD: 1, revenueMinor_USD: 300, commissionMinor_USD: 50 },
      [`INF#anna|D#${orderDay}#L#anna-1`]: { orders_USD: 1, revenueMinor_USD: 300, commissionMinor_USD: 50 },
      [`INF#bea|D#${orderDay}`]: { orders_USD: 1, revenueMinor_USD: 300, commissionMinor_USD: 60 },
      [`MER#shop|D#${orderDay}`]: { orders_USD: 1, revenueMinor_USD: 600, commissionMinor_USD: 110 },
      [`MER#shop|D#${orderDay}#I#anna`]: { orders_USD: 1, revenueMinor_USD: 300, commissionMinor_USD: 50 },
      [`MER#shop|D#${orderDay}#I#bea`]: { orders_USD: 1, revenueMinor_USD: 300, commissionMinor_USD: 60 },
    });
    expect(resolved).toContain('click-anna');
  });

  test('record by record, each step adds exactly its difference (parts always sum to the whole)', async () => {
    const { counters, run } = setup(lookups);
    await run(lifecycle.slice(0, 2));
    expect(counters.get('INF#anna', `D#${orderDay}`)).toEqual({ orders_USD: 1, revenueMinor_USD: 501 });
    expect(counters.get('INF#bea', `D#${orderDay}`)).toEqual({ orders_USD: 1, revenueMinor_USD: 500 });
    expect(counters.get('MER#shop', `D#${orderDay}`)).toEqual({ orders_USD: 1, revenueMinor_USD: 1001 });
    for (const record of lifecycle.slice(2)) await run([record]);
    expect(counters.get('MER#shop', `D#${orderDay}`)).toEqual({
      orders_USD: 1,
      revenueMinor_USD: 600,
      commissionMinor_USD: 110,
    });
  });

  test('an unattributed order counts nothing; a clawback without its order root is not guessed', async () => {
    const { counters, run } = setup();
    const unattributed = root({ status: 'unattributed', amountMinor: 1001, unattributedReason: 'no_click' });
    await run([change('MODIFY', pending, unattributed), lifecycle[8] ?? click({})]);
    expect(counters.snapshot()).toEqual({});
  });
});

describe('sketch compaction', () => {
  test('after enough visitors, redundant elements are deleted and the estimate is unchanged', async () => {
    const counters = new MemoryCounters();
    const compactor = new SketchCompactor(counters, 100);
    const key = { pk: 'INF#anna', sk: `D#${DAY}` };
    const all: number[] = [];
    for (let batch = 0; batch < 30; batch++) {
      const elements = maximalElements(
        Array.from({ length: 100 }, (_, i) => sketchElement(`v-${batch}-${i}`)),
      );
      all.push(...elements);
      await counters.commit({
        markerId: `m${batch}`,
        recordIds: [`m${batch}`],
        updates: [{ key, add: {}, visitors: elements }],
      });
      await compactor.afterCommit([{ key, add: {}, visitors: elements }]);
    }
    const stored = await counters.sketch(key);
    expect(estimateDistinct(stored)).toBe(estimateDistinct(all));
    expect(stored.length).toBeLessThan(new Set(all).size);
    expect(stored.length).toBeLessThanOrEqual(2048 + 100 * 2);
  });
});

describe('the local stream poller’s records', () => {
  test('records from the Streams API get the shape Lambda delivers (binary as base64, time in seconds)', async () => {
    const { toLambdaRecord } = await import('../../lib/local/streams');
    const record = toLambdaRecord(
      {
        eventID: 'e1',
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'ddblocal',
        dynamodb: {
          ApproximateCreationDateTime: new Date('2026-11-03T12:00:00.000Z'),
          Keys: { clickId: { S: 'c1' } },
          NewImage: { clickId: { S: 'c1' }, raw: { B: new Uint8Array([1, 2, 255]) }, n: { N: '5' } },
          SequenceNumber: '000000000000000000042',
          SizeBytes: 30,
          StreamViewType: 'NEW_IMAGE',
        },
      },
      'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/x',
    );
    expect(record).toEqual({
      eventID: 'e1',
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      eventSourceARN: 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/x',
      dynamodb: {
        ApproximateCreationDateTime: 1793707200,
        Keys: { clickId: { S: 'c1' } },
        NewImage: { clickId: { S: 'c1' }, raw: { B: 'AQL/' }, n: { N: '5' } },
        SequenceNumber: '000000000000000000042',
        SizeBytes: 30,
        StreamViewType: 'NEW_IMAGE',
      },
    });
  });

  test('sequence numbers compare as numbers, whatever their length', async () => {
    const { compareSequenceNumbers } = await import('../../lib/local/streams');
    expect(['300', '000000000000000000042', '1000', '99'].sort(compareSequenceNumbers)).toEqual([
      '000000000000000000042',
      '99',
      '300',
      '1000',
    ]);
  });
});
