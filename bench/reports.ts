/**
 * Reports (issue 5): how fast clicks go through the stream aggregator, and how long a click takes
 * to show in a report while the redirect is under sustained load. Measured against `npm start`
 * (bin/local.ts as a child process: its own DynamoDB Local, the local stream poller and the same
 * aggregator handler that runs in Lambda), through its HTTP API only. Nothing is asserted: the goals
 * are reported as met or not.
 *
 * 1. Lag: a probe click on a link of its own, then the probe influencer's report is read every
 *    100 ms until it counts the click; the time from the probe's 302 to that report. First with no
 *    other traffic (the baseline), then while autocannon keeps the redirect busy.
 * 2. Completeness: after the load, every redirected click is counted once (report clicks = 302s).
 * 3. Throughput of the aggregator handler alone: called directly (bench/reports-aggregator.ts, a
 *    child process) with synthetic batches of 100 click records, one after the other as Lambda
 *    delivers a shard, against the same DynamoDB Local.
 * 4. Throughput end to end: a backlog of click items written straight into the clicks table
 *    (BatchWriteItem, as fast as this machine allows), drained by the poller and the aggregator.
 * Throughputs are compared with the rate at which DynamoDB Local accepted the backlog's writes.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import {
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { freePort } from '../lib/local/ports';
import { localTableNames } from '../lib/local/provision';
import { sdkLocal } from '../lib/local/stores';
import { streams } from '../lib/wiring';
import { createLink, shopperHeaders, waitForHealthy } from './lib/catalog';
import { spawnNode } from './lib/child';
import { fixed, int, ratio, table } from './lib/format';
import { type LoadResult, runLoad } from './lib/load';
import type { BenchContext, BenchModule, Row, Section } from './lib/types';

const repoRoot = resolve(__dirname, '..');
const TABLE_PREFIX = 'creditlink';
/** CONTRACT §5. */
const LAG_GOAL_MS = 10_000;
const IDLE_PROBES = 10;
const BACKLOG_CLICKS = 20_000;
const HANDLER_CLICKS = 20_000;
/** Redirects per connection in the load run: a fixed count, so every request's response is seen. */
const REDIRECTS_PER_CONNECTION = 500;
const WRITERS = 8;
const POLL_MS = 100;

interface Api {
  baseUrl: string;
  adminToken: string;
}

export const reportsBench: BenchModule = {
  id: 'reports',
  async run(ctx: BenchContext): Promise<Section> {
    const { settings, scope, log } = ctx;
    const port = await freePort();
    const adminToken = randomBytes(16).toString('hex');
    log('starting npm start (bin/local.ts) on a fresh DATA_DIR…');
    const runtime = spawnNode(scope, 'runtime (bin/local.ts)', [join(repoRoot, 'bin/local.ts')], {
      cwd: repoRoot,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: join(ctx.tmpDir, 'data'),
        ADMIN_TOKEN: adminToken,
      },
    });
    const api: Api = { baseUrl: `http://127.0.0.1:${port}`, adminToken };
    await Promise.race([
      waitForHealthy(`${api.baseUrl}/healthz`, 120_000, runtime.output),
      runtime.exited.then((how) => {
        throw new Error(`npm start exited (${how}) before it was healthy:\n${runtime.output()}`);
      }),
    ]);
    const dynamoEndpoint = /DynamoDB Local:\s+(http:\/\/\S+)/.exec(runtime.output())?.[1];
    if (!dynamoEndpoint)
      throw new Error(`bin/local.ts did not print its DynamoDB Local endpoint:\n${runtime.output()}`);

    const load = await createLink(api.baseUrl, api.adminToken); // bench-inf, link bench-1
    await createInfluencerWithLink(api, 'bench-probe', 'bench-probe-1');
    await createInfluencerWithLink(api, 'bench-bulk', 'bench-bulk-1');
    let probes = 0;
    const probe = async () => {
      probes += 1;
      return probeLag(api, 'bench-probe', `${api.baseUrl}/bench-probe-1`, probes);
    };

    log(`click-to-report lag with no other traffic (${IDLE_PROBES} probes)…`);
    const idle: number[] = [];
    for (let i = 0; i < IDLE_PROBES; i++) idle.push(await probe());

    const amount = settings.connections * REDIRECTS_PER_CONNECTION;
    log(`click-to-report lag under ${int(amount)} redirects at ${settings.connections} connections…`);
    const underLoad: number[] = [];
    let loading = true;
    const loadRun = runLoad({
      url: load.url,
      connections: settings.connections,
      // A fixed count rather than a duration: autocannon abandons the requests still in flight when
      // a duration ends, whose clicks are written but whose 302s would not be counted.
      durationSeconds: 600,
      amount,
      headers: shopperHeaders,
    }).finally(() => {
      loading = false;
    });
    const probing = (async () => {
      await sleep(1_000); // let the load ramp up
      while (loading) underLoad.push(await probe());
    })();
    const loaded: LoadResult = await loadRun;
    await probing;
    const redirected = loaded.statusCounts['302'] ?? 0;
    const loadEnded = Date.now();
    const counted = await waitForClicks(api, 'bench-inf', redirected, 120_000);
    const drainMs = Date.now() - loadEnded;

    log(`aggregator handler alone: ${int(HANDLER_CLICKS)} clicks in batches of ${streams.clicks.batchSize}…`);
    const handlerRun = await aggregatorAlone(ctx, dynamoEndpoint);

    log(`stream poller and aggregator: a backlog of ${int(BACKLOG_CLICKS)} clicks written to the table…`);
    const backlog = await drainBacklog(api, dynamoEndpoint);

    await runtime.stop();
    return summarise({
      idle,
      underLoad,
      loaded,
      redirected,
      counted,
      drainMs,
      handlerRun,
      backlog,
      settings,
    });
  },
};

async function admin(api: Api, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${api.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function createInfluencerWithLink(api: Api, influencerId: string, code: string): Promise<void> {
  for (const [path, body] of [
    ['/admin/influencers', { influencerId, handle: influencerId.replace(/-/g, '_'), name: influencerId }],
    [
      '/admin/links',
      { code, influencerId, merchantId: 'bench-shop', targetUrl: 'https://shop.example.com/products/42' },
    ],
  ] as const) {
    const res = await admin(api, 'POST', path, body);
    if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
  }
}

async function reportedClicks(api: Api, influencerId: string): Promise<number> {
  const today = new Date().toISOString().slice(0, 10);
  const res = await admin(api, 'GET', `/admin/reports/influencers/${influencerId}?from=${today}&to=${today}`);
  if (res.status !== 200) throw new Error(`The report answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { clicks?: unknown };
  if (typeof body.clicks !== 'number') throw new Error('The report has no clicks figure');
  return body.clicks;
}

/** One probe click; milliseconds from its 302 until the report counts it (the n-th probe click). */
async function probeLag(api: Api, influencerId: string, url: string, n: number): Promise<number> {
  const res = await fetch(url, { headers: shopperHeaders, redirect: 'manual' });
  await res.arrayBuffer();
  if (res.status !== 302) throw new Error(`The probe click answered ${res.status}`);
  const clicked = Date.now();
  const deadline = clicked + 60_000;
  while (Date.now() < deadline) {
    if ((await reportedClicks(api, influencerId)) >= n) return Date.now() - clicked;
    await sleep(POLL_MS);
  }
  throw new Error(`Probe click ${n} did not show in the report within 60 s`);
}

async function waitForClicks(
  api: Api,
  influencerId: string,
  expected: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  while (Date.now() < deadline) {
    seen = await reportedClicks(api, influencerId);
    if (seen >= expected) return seen;
    await sleep(250);
  }
  return seen;
}

interface Backlog {
  clicks: number;
  writeMs: number;
  /** Clicks counted when the last write returned. */
  countedAtWriteEnd: number;
  /** From the last write until every click was counted. */
  drainMs: number;
  totalMs: number;
}

interface HandlerRun {
  clicks: number;
  totalMs: number;
  batchMs: number[];
}

async function aggregatorAlone(ctx: BenchContext, endpoint: string): Promise<HandlerRun> {
  const child = spawnNode(ctx.scope, 'aggregator handler', [join(__dirname, 'reports-aggregator.ts')], {
    ipc: true,
    cwd: repoRoot,
    env: {
      ...process.env,
      BENCH_DYNAMO_ENDPOINT: endpoint,
      BENCH_TABLE_PREFIX: TABLE_PREFIX,
      BENCH_CLICKS: String(HANDLER_CLICKS),
      BENCH_BATCH_SIZE: String(streams.clicks.batchSize),
    },
  });
  const message = await child.firstMessage;
  const how = await child.exited;
  if (how !== 0) throw new Error(`The aggregator bench child ended with ${how}:\n${child.output()}`);
  const run = message as Partial<HandlerRun>;
  if (typeof run.totalMs !== 'number' || typeof run.clicks !== 'number' || !Array.isArray(run.batchMs)) {
    throw new Error(`The aggregator bench child sent ${JSON.stringify(message)}`);
  }
  return { clicks: run.clicks, totalMs: run.totalMs, batchMs: run.batchMs };
}

async function drainBacklog(api: Api, endpoint: string): Promise<Backlog> {
  const client = new DynamoDBClient({ endpoint, ...sdkLocal() });
  const tableName = localTableNames(TABLE_PREFIX).clicks;
  const started = Date.now();
  const now = new Date().toISOString();
  let next = 0;
  const item = (i: number): WriteRequest => ({
    PutRequest: {
      Item: {
        clickId: { S: `BULK${String(i).padStart(22, '0')}` },
        code: { S: 'bench-bulk-1' },
        influencerId: { S: 'bench-bulk' },
        merchantId: { S: 'bench-shop' },
        visitorId: { S: `bulk_visitor_${i}_${randomBytes(6).toString('hex')}` },
        occurredAt: { S: now },
        device: { S: 'desktop' },
        ipHash: { S: 'bench' },
        bot: { BOOL: false },
        expiresAt: { N: String(Math.floor(Date.now() / 1000) + 86_400) },
      },
    },
  });
  try {
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (next < BACKLOG_CLICKS) {
          const from = next;
          next = Math.min(BACKLOG_CLICKS, next + 25);
          let requests: WriteRequest[] | undefined = Array.from({ length: next - from }, (_, k) =>
            item(from + k),
          );
          while (requests && requests.length > 0) {
            const out: BatchWriteItemCommandOutput = await client.send(
              new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }),
            );
            requests = out.UnprocessedItems?.[tableName];
          }
        }
      }),
    );
  } finally {
    client.destroy();
  }
  const writeEnd = Date.now();
  const countedAtWriteEnd = await reportedClicks(api, 'bench-bulk');
  const counted = await waitForClicks(api, 'bench-bulk', BACKLOG_CLICKS, 300_000);
  if (counted < BACKLOG_CLICKS)
    throw new Error(`Only ${counted} of ${BACKLOG_CLICKS} backlog clicks were counted`);
  const end = Date.now();
  return {
    clicks: BACKLOG_CLICKS,
    writeMs: writeEnd - started,
    countedAtWriteEnd,
    drainMs: end - writeEnd,
    totalMs: end - started,
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function summarise(input: {
  idle: number[];
  underLoad: number[];
  loaded: LoadResult;
  redirected: number;
  counted: number;
  drainMs: number;
  handlerRun: HandlerRun;
  backlog: Backlog;
  settings: BenchContext['settings'];
}): Section {
  const { idle, underLoad, loaded, redirected, counted, backlog, handlerRun } = input;
  const handlerRate = (handlerRun.clicks / handlerRun.totalMs) * 1000;
  const rps = loaded.requestsPerSecond;
  const writeRate = (backlog.clicks / backlog.writeMs) * 1000;
  // While a backlog remained after the writers stopped, the aggregator was the bottleneck.
  const drained = backlog.clicks - backlog.countedAtWriteEnd;
  const aggregatorLimited = drained >= backlog.clicks * 0.1 && backlog.drainMs > 0;
  const aggregatorRate = aggregatorLimited
    ? (drained / backlog.drainMs) * 1000
    : (backlog.clicks / backlog.totalMs) * 1000;
  const lagRow = (figure: string, p: number | 'max', goal = false): Row => {
    const value = p === 'max' ? Math.max(...underLoad) : percentile(underLoad, p);
    const base = p === 'max' ? Math.max(...idle) : percentile(idle, p);
    return {
      figure,
      value: int(value),
      baseline: `${int(base)} (no load)`,
      ratio: ratio(value, base),
      goal: goal ? `≤ ${LAG_GOAL_MS / 1000} s (CONTRACT §5)` : '',
      ...(goal ? { met: value <= LAG_GOAL_MS } : {}),
    };
  };
  const rows: Row[] = [
    {
      figure: `Clicks per second through the aggregator handler (batches of ${streams.clicks.batchSize}, one shard)`,
      value: int(handlerRate),
      baseline: `${int(writeRate)} (click items written/s)`,
      ratio: ratio(handlerRate, writeRate),
      goal: '',
    },
    {
      figure: `Clicks per second through the local stream poller and aggregator (backlog of ${int(backlog.clicks)})`,
      value: int(aggregatorRate),
      baseline: `${int(writeRate)} (click items written/s)`,
      ratio: ratio(aggregatorRate, writeRate),
      goal: '',
    },
    lagRow(`Click-to-report lag p50 under ${int(rps)} redirects/s (ms)`, 50),
    lagRow(`Click-to-report lag p95 under ${int(rps)} redirects/s (ms)`, 95),
    lagRow(`Click-to-report lag, worst of ${underLoad.length} probes under load (ms)`, 'max', true),
    {
      figure: 'Clicks counted in the report per redirected click, after the load',
      value: fixed(counted / Math.max(1, redirected), 4),
      baseline: '—',
      ratio: '—',
      goal: '= 1',
      met: counted === redirected,
    },
  ];
  return {
    title: 'Reports: aggregator throughput and click-to-report lag',
    rows,
    details: [
      table(
        ['Probe set', 'Probes', 'p50 ms', 'p95 ms', 'max ms'],
        [['No other traffic', idle] as const, [`Under ${int(rps)} redirects/s`, underLoad] as const].map(
          ([name, values]) => [
            name,
            String(values.length),
            int(percentile(values, 50)),
            int(percentile(values, 95)),
            int(Math.max(...values)),
          ],
        ),
      ),
      `Aggregator handler alone: ${int(handlerRun.clicks)} clicks in ${(handlerRun.totalMs / 1000).toFixed(1)} s, ${handlerRun.batchMs.length} batches; per batch of ${streams.clicks.batchSize}: p50 ${fixed(percentile(handlerRun.batchMs, 50), 1)} ms, p95 ${fixed(percentile(handlerRun.batchMs, 95), 1)} ms (one marker read, one transaction of 4 counter updates and the marker, a sketch compaction every ~1,000 visitors per item).`,
      `Redirect load: ${int(redirected)} redirects (302) in ${loaded.durationSeconds.toFixed(1)} s at ${input.settings.connections} connections (p50 ${loaded.p50Ms} ms, p99 ${loaded.p99Ms} ms); ${int(counted)} of them counted in the report ${(input.drainMs / 1000).toFixed(1)} s after the load ended.`,
      `Backlog: ${int(backlog.clicks)} click items written in ${(backlog.writeMs / 1000).toFixed(1)} s by ${WRITERS} writers; ${int(backlog.countedAtWriteEnd)} were counted when the writes ended, the rest ${(backlog.drainMs / 1000).toFixed(1)} s later${aggregatorLimited ? '' : ' (the aggregator kept up with the writers, so its figure is a lower bound: clicks over the whole run)'}. Batches of ${streams.clicks.batchSize} records, the poller reading an idle shard every ${streams.clicks.localPollIntervalMs} ms.`,
    ],
    howMeasured: `**Reports.** \`bin/local.ts\` (what \`npm start\` runs) as a child process on a fresh DATA_DIR; everything goes through its HTTP API except the backlog. Lag: a probe click (a browser redirect on a link of its own influencer) is sent, and that influencer's report for today is read every ${POLL_MS} ms until it counts the click; the figure is the time from the probe's 302 to that report (so it includes up to ${POLL_MS} ms of polling granularity and the report request). ${IDLE_PROBES} probes with no other traffic give the baseline; then autocannon sends ${int(redirected)} redirects to another link at ${input.settings.connections} connections (a fixed count, every response awaited) while probes run one after another. After the load, the load link's report must count exactly the 302s autocannon received. Handler throughput: a child process (bench/reports-aggregator.ts) imports the aggregator's exported handler and calls it with ${int(HANDLER_CLICKS)} synthetic click records (one visitor each, one link) in batches of ${streams.clicks.batchSize}, one after the other, against the same DynamoDB Local while the runtime is idle. End-to-end throughput: ${int(BACKLOG_CLICKS)} click items (one visitor each, so the sketches grow) are written straight into the clicks table with BatchWriteItem by ${WRITERS} concurrent writers; the stream poller and the aggregator (one shard, batches of ${streams.clicks.batchSize}, one transaction per batch) drain them. The figure is the clicks counted per second after the writers stopped (while a backlog remained), beside the rate at which the same items were written. All of it shares this machine's cores with DynamoDB Local.`,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
