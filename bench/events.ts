/**
 * Outgoing event delivery latency (CONTRACT §12) on this machine: how long after an order is
 * accepted its signed `order.credited` event reaches a receiver on 127.0.0.1, through the whole
 * real path of `npm start` (ingest → orders queue → attribution worker → orders table stream →
 * events function → deliveries table and queue → delivery function → signed POST).
 *
 * Baseline, measured first in the same run with nothing else running: the floor of the same local
 * machinery without the pipeline's work, on a DynamoDB Local of its own: one PutItem on a table with
 * a stream, seen by the same local stream poller (lib/local/streams.ts, the events stream's settings)
 * whose handler does nothing but a bare POST of the record to the same receiver.
 *
 * Events go one at a time (the next once the last has arrived), each after a random pause of up to
 * one poll interval, so that latency is measured rather than a backlog, and the stream poller's idle
 * sleep is met at every phase alike on both sides. BENCH_EVENTS sets how many are timed (200).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Webhook } from 'standardwebhooks';
import { startDynamoDbLocal } from '../lib/local/dynamodb-local';
import { freePort } from '../lib/local/ports';
import { sdkLocal } from '../lib/local/stores';
import { localCheckpointStore, type StreamLambda, startStreamPoller } from '../lib/local/streams';
import { streams } from '../lib/wiring';
import { waitForHealthy } from './lib/catalog';
import { spawnNode } from './lib/child';
import { fixed, ratio, table } from './lib/format';
import type { BenchContext, BenchModule, Row, Section } from './lib/types';

const repoRoot = resolve(__dirname, '..');
const EVENTS = intFromEnv('BENCH_EVENTS', 200);
/** Not timed: JIT, DynamoDB Local's JVM, the handlers' first loads and caches. */
const WARMUP_EVENTS = 20;
/** One event's wait before the run is abandoned (a lost event is a failure, not a slow one). */
const EVENT_TIMEOUT_MS = 30_000;
const SPEC = streams.ordersEvents;
const MERCHANT_ID = 'bench-events';
const COUPON = 'BENCHEVENTS';

/** A receiver on 127.0.0.1 that resolves a waiter per key when a POST carrying it arrives. */
class Receiver {
  private readonly waiting = new Map<string, (atMs: number) => void>();
  /** Every POST's key, in order of arrival (duplicates included). */
  readonly keys: string[] = [];
  private server: Server | undefined;
  url = '';

  constructor(
    private readonly keyOf: (body: string, headers: Record<string, string>) => string | undefined,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const atMs = performance.now();
        res.statusCode = 200;
        res.end('ok');
        const headers = Object.fromEntries(
          Object.entries(req.headers).map(([name, value]) => [name, String(value)]),
        );
        const key = this.keyOf(Buffer.concat(chunks).toString('utf8'), headers);
        if (key === undefined) return;
        this.keys.push(key);
        this.waiting.get(key)?.(atMs);
        this.waiting.delete(key);
      });
    });
    const server = this.server;
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  }

  /** Resolves with the arrival time of `key`'s POST. Call before the write that causes it. */
  expect(key: string): Promise<number> {
    return new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`${key} never arrived`)), EVENT_TIMEOUT_MS);
      this.waiting.set(key, (atMs) => {
        clearTimeout(timer);
        done(atMs);
      });
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
}

const pause = () => new Promise((done) => setTimeout(done, Math.random() * SPEC.localPollIntervalMs));

/** Times `count` events one after the other: `cause` is started at t0, arrival ends it. */
async function timeEach(
  receiver: Receiver,
  count: number,
  cause: (i: number) => { key: string; write: () => Promise<void> },
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    await pause();
    const { key, write } = cause(i);
    const arrived = receiver.expect(key);
    const t0 = performance.now();
    await write();
    latencies.push((await arrived) - t0);
  }
  return latencies;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

/** The floor: PutItem → the local stream poller reads it → a bare POST to the receiver. */
async function measureBaseline(ctx: BenchContext): Promise<{ latencies: number[]; received: number }> {
  const { scope, log } = ctx;
  log('baseline: DynamoDB Local of its own, a streamed table, the local stream poller and a bare POST…');
  const dynamoLocal = await startDynamoDbLocal({});
  scope.defer('baseline DynamoDB Local', () => dynamoLocal.stop());
  const dynamo = new DynamoDBClient({ endpoint: dynamoLocal.endpoint, ...sdkLocal() });
  scope.defer('baseline DynamoDB client', async () => dynamo.destroy());
  const tableName = 'bench-events-floor';
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  const receiver = new Receiver((body) => (JSON.parse(body) as { pk?: string }).pk);
  await receiver.start();
  scope.defer('baseline receiver', () => receiver.stop());

  const bareHandler: StreamLambda = async (event) => {
    for (const record of event.Records) {
      const pk = record.dynamodb?.NewImage?.pk?.S;
      const res = await fetch(receiver.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pk }),
      });
      await res.arrayBuffer();
    }
    return { batchItemFailures: [] };
  };
  const checkpoints = await localCheckpointStore(dynamoLocal.endpoint, `${tableName}-checkpoints`);
  scope.defer('baseline checkpoints', async () => checkpoints.close());
  const poller = startStreamPoller({
    endpoint: dynamoLocal.endpoint,
    tableName,
    spec: SPEC,
    handler: async () => bareHandler,
    checkpoints,
    onError: (err) => log(`baseline stream poller: ${String(err)}`),
  });
  scope.defer('baseline stream poller', () => poller.stop());

  const put = (pk: string) => async () => {
    await dynamo.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: pk }, at: { S: new Date().toISOString() } },
      }),
    );
  };
  await timeEach(receiver, WARMUP_EVENTS, (i) => ({ key: `warm-${i}`, write: put(`warm-${i}`) }));
  log(`baseline: timing ${EVENTS} writes…`);
  const latencies = await timeEach(receiver, EVENTS, (i) => ({
    key: `floor-${i}`,
    write: put(`floor-${i}`),
  }));
  const received = receiver.keys.filter((k) => k.startsWith('floor-')).length;
  // Stopped now, so the runtime is measured with nothing of the baseline left running.
  await scope.close();
  return { latencies, received };
}

async function adminPost(baseUrl: string, token: string, path: string, body: unknown) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST ${path} → ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Order webhook → signed event at the receiver, through `npm start`. */
async function measureRuntime(ctx: BenchContext): Promise<{ latencies: number[]; received: number }> {
  const { scope, log } = ctx;
  const port = await freePort();
  const adminToken = randomBytes(16).toString('hex');
  log('runtime: starting npm start (bin/local.ts) on a fresh DATA_DIR…');
  const runtime = spawnNode(
    scope,
    'runtime (bin/local.ts)',
    ['--import', 'tsx', join(repoRoot, 'bin/local.ts')],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: join(ctx.tmpDir, 'data'),
        ADMIN_TOKEN: adminToken,
        PAYOUT_SCHEDULE_EVERY_MS: '0',
      },
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  await runtime.waitForOutput(/DynamoDB Local:\s+http:\/\/\S+/, 120_000);
  await waitForHealthy(`${baseUrl}/healthz`, 30_000, runtime.output);

  /** The endpoint's own secret, which signs its deliveries. */
  let endpointSecret = '';
  // Each event is checked as a receiver would (after its arrival time is taken): signed, whole.
  const receiver = new Receiver((body, headers) => {
    try {
      return (new Webhook(endpointSecret).verify(body, headers) as { data?: { orderId?: string } }).data
        ?.orderId;
    } catch {
      // Not counted: the order then times out and fails the run.
      return undefined;
    }
  });
  await receiver.start();
  scope.defer('runtime receiver', () => receiver.stop());

  const merchant = await adminPost(baseUrl, adminToken, '/admin/merchants', {
    merchantId: MERCHANT_ID,
    name: 'Bench events',
    allowedDomains: ['shop.example.com'],
    currency: 'USD',
    holdDays: 0,
    commission: { defaultBps: 1000 },
  });
  const shopSecret = String(merchant.webhookSecret);
  await adminPost(baseUrl, adminToken, '/admin/influencers', {
    influencerId: 'bench-events-inf',
    handle: 'bench_events',
    name: 'Bench Events',
    couponCodes: [COUPON],
  });
  const endpoint = await adminPost(baseUrl, adminToken, '/admin/endpoints', {
    url: receiver.url,
    events: ['order.credited'],
  });
  endpointSecret = String(endpoint.secret);

  const signer = new Webhook(shopSecret);
  const order = (orderId: string) => {
    // Signed before the clock starts: signing is the shop's work, not the pipeline's.
    const body = JSON.stringify({
      type: 'order.created',
      orderId,
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      currency: 'USD',
      couponCode: COUPON,
      lines: [{ sku: 'SKU-1', quantity: 1, unitPriceMinor: 2_500 }],
    });
    const id = `msg_${orderId}`;
    const now = new Date();
    const headers = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signer.sign(id, now, body),
    };
    return {
      key: orderId,
      write: async () => {
        const res = await fetch(`${baseUrl}/webhooks/${MERCHANT_ID}/orders`, {
          method: 'POST',
          headers,
          body,
        });
        const text = await res.text();
        if (res.status !== 202) throw new Error(`webhook ${orderId} → ${res.status} ${text}`);
      },
    };
  };
  log(`runtime: ${WARMUP_EVENTS} warm-up orders, then timing ${EVENTS}…`);
  const latencies = await (async () => {
    await timeEach(receiver, WARMUP_EVENTS, (i) => order(`warm-${i}`));
    return timeEach(receiver, EVENTS, (i) => order(`ev-${i}`));
  })().catch((err: unknown) => {
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}; npm start printed:\n${runtime.output()}`,
    );
  });
  // Late duplicates would show here: a moment for any to arrive.
  await new Promise((done) => setTimeout(done, 2_000));
  const received = receiver.keys.filter((k) => k.startsWith('ev-')).length;
  const how = runtime.exitStatus();
  if (how !== undefined) throw new Error(`npm start exited (${how}) during the run:\n${runtime.output()}`);
  return { latencies, received };
}

export const eventsBench: BenchModule = {
  id: 'events',
  async run(ctx: BenchContext): Promise<Section> {
    const floor = await measureBaseline(ctx);
    const real = await measureRuntime(ctx);
    const problems: string[] = [];
    if (real.received !== EVENTS) problems.push(`${real.received} events received for ${EVENTS} orders`);
    if (floor.received !== EVENTS) problems.push(`baseline: ${floor.received} POSTs for ${EVENTS} writes`);

    const stats = (values: number[]) => ({
      p50: percentile(values, 50),
      p99: percentile(values, 99),
      max: Math.max(...values),
      mean: values.reduce((a, b) => a + b, 0) / values.length,
    });
    const r = stats(real.latencies);
    const b = stats(floor.latencies);
    const ms = (v: number) => fixed(v, 0);
    const rows: Row[] = [
      {
        figure: `Order event delivery latency p50, ${EVENTS} orders one at a time (ms; webhook sent → signed order.credited received)`,
        value: ms(r.p50),
        baseline: `${ms(b.p50)} (bare stream poller: PutItem → record read → bare POST)`,
        ratio: ratio(r.p50, b.p50),
        goal: '',
      },
      {
        figure: `Order event delivery latency p99, ${EVENTS} orders one at a time (ms)`,
        value: ms(r.p99),
        baseline: `${ms(b.p99)} (bare stream poller)`,
        ratio: ratio(r.p99, b.p99),
        goal: '',
      },
      {
        figure: 'Events received per order (same run; retries or duplicates would show above 1)',
        value: fixed(real.received / EVENTS, 4),
        baseline: '—',
        ratio: '—',
        goal: '= 1',
        met: real.received === EVENTS,
      },
    ];
    const details = [
      table(
        ['Path', 'p50 (ms)', 'p99 (ms)', 'max (ms)', 'mean (ms)', 'Received'],
        [
          [
            'npm start: webhook → ingest → attribution → stream → events → queue → delivery',
            ms(r.p50),
            ms(r.p99),
            ms(r.max),
            ms(r.mean),
            `${real.received} / ${EVENTS}`,
          ],
          [
            'Baseline: PutItem → local stream poller → bare POST (own DynamoDB Local)',
            ms(b.p50),
            ms(b.p99),
            ms(b.max),
            ms(b.mean),
            `${floor.received} / ${EVENTS}`,
          ],
        ],
      ),
      `The difference (${ms(r.p50 - b.p50)} ms at p50) is the pipeline's own work: the accept and its ` +
        'queue, the attribution worker, reading the order view, writing the delivery and its queue hop, ' +
        'and the signed POST; both sides wait for the same stream poller, idle every ' +
        `${SPEC.localPollIntervalMs} ms.`,
    ];
    return {
      title: 'Outgoing event delivery',
      rows,
      details,
      problems,
      howMeasured:
        `**Outgoing events.** ${EVENTS} orders (after ${WARMUP_EVENTS} not timed), one at a time, each after a random ` +
        `pause of up to ${SPEC.localPollIntervalMs} ms, posted signed to \`npm start\` (fresh DATA_DIR) by ` +
        'the bench process; the clock runs from sending the webhook to the signed `order.credited` ' +
        'arriving at a node http receiver on 127.0.0.1 registered with `POST /admin/endpoints`. The ' +
        'baseline runs first, with nothing else running: PutItem on a streamed table of a DynamoDB Local ' +
        'of its own, read by the same local stream poller with the events stream settings, whose ' +
        'handler only POSTs to the same kind of receiver; timed from the PutItem to the POST arriving.',
    };
  },
};

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}
