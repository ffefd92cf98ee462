/**
 * Signed order webhooks against `npm start` (bin/local.ts as a child process, its own DynamoDB Local
 * and SQS emulator, a merchant, influencer and link made through the admin API, real click ids):
 *
 * - accepted webhooks per second and accept latency at N connections, beside a bare server doing
 *   only the durable part of an accept (one TransactWriteItems + one SendMessage) in the same run;
 * - orders credited end to end per second: M orders sent as fast as they are accepted, timed until
 *   the last credit is written, and each order's accepted → credited time;
 * - DynamoDB calls per order, counted in the runtime process by function (bench/lib/
 *   dynamo-call-origins.ts is preloaded into it): the ingest's and the attribution worker's apart.
 *
 * BENCH_WEBHOOK_ORDERS sets M (500); the accept runs follow BENCH_DURATION_S and BENCH_CONNECTIONS, and
 * take BENCH_ROUNDS / 2 rounds (each round waits for the previous runtime run to be credited).
 *
 * Requests are signed by the load generator (bench/lib/webhook-load.ts, a child process) before
 * its clock starts, so signing is never measured.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { orderPk } from '../functions/common/repos/orders';
import { inboxKey } from '../functions/common/repos/webhook-inbox';
import { startDynamoDbLocal } from '../lib/local/dynamodb-local';
import { freePort } from '../lib/local/ports';
import { createTableInput, localTableNames } from '../lib/local/provision';
import { sdkLocal } from '../lib/local/stores';
import { tables } from '../lib/wiring';
import { BROWSER_USER_AGENT, waitForHealthy } from './lib/catalog';
import { runNode, spawnNode } from './lib/child';
import { fixed, int, median, ratio, table } from './lib/format';
import { cpuMs, dynamoDbLocalPids, endedChildrenCpuMs, machineBusyMs, pause, resume } from './lib/proc';
import type { BenchContext, BenchModule, Row, Section } from './lib/types';
import type { WebhookLoadConfig, WebhookLoadResult } from './lib/webhook-load';

const repoRoot = resolve(__dirname, '..');
const loadScript = join(__dirname, 'lib/webhook-load.ts');
const counterPreload = join(__dirname, 'lib/dynamo-call-origins.ts');
const baselineScript = join(__dirname, 'lib/webhook-baseline-server.ts');

/** The table prefix startLocalRuntime provisions with. */
const TABLE_PREFIX = 'creditlink';
const MERCHANT_ID = 'bench-webhooks';
const INFLUENCER_ID = 'bench-wh-inf';
const LINK_CODE = 'bench-wh-1';
/** Distinct visitors, one click each; order i carries click i mod this. */
const CLICK_POOL = 100;
/** Warm-up of each server (JIT, DynamoDB Local's JVM, the worker's first payee marker). */
const WARMUP_BASELINE_ORDERS = 500;
const WARMUP_RUNTIME_ORDERS = 200;
/** Orders whose DynamoDB calls are counted. */
const COUNTED_ORDERS = 200;
/** Orders timed end to end (BENCH_WEBHOOK_ORDERS). */
const E2E_ORDERS = intFromEnv('BENCH_WEBHOOK_ORDERS', 500);
/** Give up waiting for credits after this long. */
const CREDIT_TIMEOUT_MS = 180_000;
/** Beyond this share of the cores busy with other jobs, the report warns that the figures are noisy. */
const BUSY_MACHINE_SHARE = 0.25;
/** The goal of issue 3 for the attribution worker. */
const WORKER_CALLS_GOAL = 4;
/** Accepted webhooks per second of npm start against the bare server's, paired by round. */
const ACCEPT_RATIO_GOAL = 0.8;

interface Target {
  name: 'baseline' | 'runtime';
  url: string;
  /** The server's process (the runtime's also runs its worker and SQS emulator, as npm start does). */
  pid: number;
  /** Its DynamoDB Local. */
  javaPid: number;
  /** The other side's processes, stopped (SIGSTOP) while this one is measured. */
  paused: number[];
}

/** CPU time spent during one accept run, per webhook sent (every one is answered), in ms. */
interface CpuPerAccept {
  server: number;
  dynamoDbLocal: number;
  loadGenerator: number;
}

interface AcceptRun {
  round: number;
  target: Target['name'];
  load: WebhookLoadResult;
  /** Share of the machine's cores busy with anything but the processes of this run. */
  otherWorkShare: number;
  /** Runtime runs: orders of this run its worker credited within the window, per second. */
  creditedPerSecond?: number;
  cpu: CpuPerAccept;
}

interface CountRow {
  origin: string;
  operation: string;
  tables: string;
  calls: number;
}

interface InboxTimes {
  receivedAtMs: number;
  processedAtMs: number | undefined;
}

export const webhooksBench: BenchModule = {
  id: 'webhooks',
  async run(ctx: BenchContext): Promise<Section> {
    const { settings, scope, log } = ctx;
    const problems: string[] = [];
    const dataDir = join(ctx.tmpDir, 'data');
    const port = await freePort();
    const adminToken = randomBytes(16).toString('hex');

    log('starting npm start (bin/local.ts, DynamoDB call counter preloaded) on a fresh DATA_DIR…');
    const runtime = spawnNode(
      scope,
      'runtime (bin/local.ts)',
      [...cpuProfileArgs(), '--import', 'tsx', '--import', counterPreload, join(repoRoot, 'bin/local.ts')],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          DATA_DIR: dataDir,
          ADMIN_TOKEN: adminToken,
        },
      },
    );
    const started = await runtime.waitForOutput(
      /DynamoDB Local:\s+(http:\/\/\S+)\s+SQS emulator:\s+(http:\/\/\S+)/,
      120_000,
    );
    const [, dynamoEndpoint] = started;
    if (!dynamoEndpoint) throw new Error('unreachable: the pattern has a group');
    const counterUrl = (
      await runtime.waitForOutput(/bench call counter: control at (http:\/\/\S+)/, 10_000)
    )[1];
    if (!counterUrl) throw new Error('unreachable: the pattern has a group');
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitForHealthy(`${baseUrl}/healthz`, 30_000, runtime.output);
    const javaPid = onlyOne(dynamoDbLocalPids(dataDir), 'DynamoDB Local process');

    const dynamo = new DynamoDBClient({ endpoint: dynamoEndpoint, ...sdkLocal() });
    scope.defer('bench DynamoDB client', async () => dynamo.destroy());
    const documents = DynamoDBDocumentClient.from(dynamo);
    const names = localTableNames(TABLE_PREFIX);

    log(`creating a merchant, an influencer, a link and ${CLICK_POOL} clicks of distinct visitors…`);
    const secret = await setUpCatalog(baseUrl, adminToken);
    const clickIds = await makeClicks(baseUrl, CLICK_POOL);

    log('starting the baseline: its own DynamoDB Local and SQS emulator, TransactWriteItems + SendMessage…');
    const baseline = await startBaseline(ctx);
    const targets: Record<Target['name'], Target> = {
      runtime: {
        name: 'runtime',
        url: `${baseUrl}/webhooks/${MERCHANT_ID}/orders`,
        pid: runtime.pid,
        javaPid,
        paused: [baseline.child.pid, baseline.javaPid],
      },
      baseline: {
        name: 'baseline',
        url: `http://127.0.0.1:${baseline.port}/webhooks/${MERCHANT_ID}/orders`,
        pid: baseline.child.pid,
        javaPid: baseline.javaPid,
        // npm start before its Java (and resumed after it), so that it never waits on a stopped store.
        paused: [runtime.pid, javaPid],
      },
    };
    scope.defer('paused processes', async () =>
      resume([baseline.javaPid, javaPid, baseline.child.pid, runtime.pid]),
    );

    let loads = 0;
    const load = async (target: Target, orderPrefix: string, amount: number, durationSeconds?: number) => {
      const config: WebhookLoadConfig = {
        url: target.url,
        secret,
        connections: settings.connections,
        amount,
        orderPrefix,
        clickIds,
        ...(durationSeconds === undefined ? {} : { durationSeconds }),
      };
      const file = join(ctx.tmpDir, `load-${++loads}.json`);
      writeFileSync(file, JSON.stringify(config));
      const stdout = await runNode(['--import', 'tsx', loadScript, file], {
        timeoutMs: ((durationSeconds ?? 0) + 180) * 1000,
      });
      const result = JSON.parse(stdout) as WebhookLoadResult;
      for (const child of [runtime, baseline.child]) {
        const how = child.exitStatus();
        if (how !== undefined)
          throw new Error(`${child.name} exited (${how}) during the run:\n${child.output()}`);
      }
      const other = Object.entries(result.statusCounts).filter(([status]) => status !== '202');
      if (other.length > 0 || result.errors > 0) {
        throw new Error(
          `${target.name} (${orderPrefix}): expected only 202s, got ${JSON.stringify(result.statusCounts)} and ` +
            `${result.errors} connection errors; first answers: ${result.unexpected.join(' | ')}`,
        );
      }
      return result;
    };
    const orderIds = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
    const webhookIds = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => `msg_${prefix}_${i}`);
    const credited = (prefix: string, n: number) =>
      waitUntilProcessed(documents, names.webhookInbox, webhookIds(prefix, n), CREDIT_TIMEOUT_MS);

    // Warm-ups: both servers' JIT; the runtime's also marks the influencer as payee (once per
    // worker instance) and fills the worker's merchant cache, so neither is in the counted orders.
    log(`warm-up: baseline, ${WARMUP_BASELINE_ORDERS} webhooks`);
    const baselineWarm = await load(targets.baseline, 'wb', WARMUP_BASELINE_ORDERS);
    log(`warm-up: runtime, ${WARMUP_RUNTIME_ORDERS} webhooks, then waiting until all are credited`);
    const runtimeWarm = await load(targets.runtime, 'wr', WARMUP_RUNTIME_ORDERS);
    await credited('wr', WARMUP_RUNTIME_ORDERS);

    // 3. DynamoDB calls, counted by function.
    log(`counting DynamoDB calls: ${COUNTED_ORDERS} webhooks until all are credited`);
    await counter(counterUrl, 'POST', '/start');
    await load(targets.runtime, 'c', COUNTED_ORDERS);
    await credited('c', COUNTED_ORDERS);
    const counts = await counter(counterUrl, 'POST', '/stop');
    const countedRoots = await readRoots(documents, names.orders, orderIds('c', COUNTED_ORDERS));
    const countedCredited = countedRoots.filter((r) => r === 'credited').length;
    if (countedCredited !== COUNTED_ORDERS) {
      problems.push(`only ${countedCredited} of the ${COUNTED_ORDERS} counted orders were credited`);
    }

    // 2. End to end: M orders as fast as they are accepted; done when the last credit is written.
    log(`end to end: ${E2E_ORDERS} webhooks at ${settings.connections} connections, until all are credited`);
    const e2eBefore = {
      runtime: cpuMs(runtime.pid),
      java: cpuMs(javaPid),
      all: machineBusyMs(),
      at: Date.now(),
    };
    const e2eLoad = await load(targets.runtime, 'e', E2E_ORDERS);
    const e2eTimes = await credited('e', E2E_ORDERS);
    const e2eWallMs = (Date.now() - e2eBefore.at) * cpus().length;
    const e2eCpu = {
      runtime: (cpuMs(runtime.pid) - e2eBefore.runtime) / e2eWallMs,
      java: (cpuMs(javaPid) - e2eBefore.java) / e2eWallMs,
      all: (machineBusyMs() - e2eBefore.all) / e2eWallMs,
    };
    const e2eRoots = await readRoots(documents, names.orders, orderIds('e', E2E_ORDERS));
    const e2eCredited = e2eRoots.filter((r) => r === 'credited').length;
    if (e2eCredited !== E2E_ORDERS) {
      problems.push(
        `only ${e2eCredited} of the ${E2E_ORDERS} timed orders were credited (${JSON.stringify(tally(e2eRoots))})`,
      );
    }
    const view = await checkOrderView(baseUrl, adminToken, `e-${E2E_ORDERS - 1}`);
    if (view.problem) problems.push(view.problem);

    // 1. Accept throughput, the baseline then the runtime in each round. After a runtime run its
    // worker keeps crediting the backlog for a while, using the runtime's process and DynamoDB Local:
    // the next round waits until it is done, so that no baseline run shares the machine with it.
    // Each runtime run thus starts with an empty queue and its worker crediting as it accepts.
    const acceptRounds = Math.max(1, Math.floor(settings.rounds / 2));
    const runs: AcceptRun[] = [];
    const rate: Record<Target['name'], number> = {
      baseline: baselineWarm.requestsPerSecond,
      runtime: runtimeWarm.requestsPerSecond,
    };
    let backlog: { prefix: string; sent: number } | undefined;
    for (let round = 1; round <= acceptRounds; round++) {
      if (backlog) {
        log(`waiting until the ${backlog.sent} webhooks of the last runtime run are credited`);
        await credited(backlog.prefix, backlog.sent);
      }
      for (const target of [targets.baseline, targets.runtime]) {
        log(`accept rate: ${target.name}, round ${round}/${acceptRounds}, ${settings.durationSeconds} s`);
        // Enough signed requests for 3x the rate seen so far; the report says if they ran out.
        const amount = Math.min(100_000, Math.ceil(rate[target.name] * settings.durationSeconds * 3) + 500);
        const prefix = `${target.name[0]}${round}`;
        // The other side's processes are stopped, resumed in the reverse order.
        pause(target.paused);
        let result: WebhookLoadResult;
        let spent: CpuPerAccept;
        const before = {
          server: cpuMs(target.pid),
          java: cpuMs(target.javaPid),
          loadgen: endedChildrenCpuMs(),
          all: machineBusyMs(),
          at: Date.now(),
        };
        try {
          result = await load(target, prefix, amount, settings.durationSeconds);
          spent = {
            server: cpuMs(target.pid) - before.server,
            dynamoDbLocal: cpuMs(target.javaPid) - before.java,
            loadGenerator: endedChildrenCpuMs() - before.loadgen,
          };
        } finally {
          resume([...target.paused].reverse());
        }
        const cpu: CpuPerAccept = {
          server: spent.server / result.sent,
          dynamoDbLocal: spent.dynamoDbLocal / result.sent,
          loadGenerator: spent.loadGenerator / result.sent,
        };
        const other =
          machineBusyMs() - before.all - (spent.server + spent.dynamoDbLocal + spent.loadGenerator);
        const otherWorkShare = Math.max(0, other) / ((Date.now() - before.at) * cpus().length);
        let creditedPerSecond: number | undefined;
        if (target.name === 'runtime') {
          // How much crediting the worker did in the same window, from the inbox's processedAt.
          const windowEnd = result.startedAtMs + result.windowSeconds * 1000;
          const times = await readInbox(documents, names.webhookInbox, webhookIds(prefix, result.sent));
          const done = [...times.values()].filter((t) => (t.processedAtMs ?? Infinity) <= windowEnd).length;
          creditedPerSecond = done / result.windowSeconds;
        }
        runs.push({ round, target: target.name, load: result, otherWorkShare, creditedPerSecond, cpu });
        rate[target.name] = result.requestsPerSecond;
        if (target.name === 'runtime') backlog = { prefix, sent: result.sent };
        if (result.exhausted) {
          problems.push(
            `${target.name} run ${round} ran out of signed requests before its ${settings.durationSeconds} s`,
          );
        }
      }
    }

    // Stopped here rather than only at scope close, to check that SIGTERM to npm start really
    // stops its Java child (CONTRACT §2: no orphan).
    await baseline.child.stop();
    await baseline.store.stop();
    await runtime.stop();
    const leftovers = dynamoDbLocalPids(dataDir);
    if (leftovers.length > 0)
      throw new Error(`DynamoDB Local still running after npm start stopped: ${leftovers}`);

    return summarise({
      settings,
      runs,
      counts,
      e2e: { load: e2eLoad, times: e2eTimes, credited: e2eCredited, view: view.summary, cpu: e2eCpu },
      problems,
    });
  },
};

// ---------------------------------------------------------------- set-up

async function adminPost(baseUrl: string, adminToken: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** The merchant, influencer and link, as an operator makes them; returns the webhook secret. */
async function setUpCatalog(baseUrl: string, adminToken: string): Promise<string> {
  const merchant = await adminPost(baseUrl, adminToken, '/admin/merchants', {
    merchantId: MERCHANT_ID,
    name: 'Bench Webhooks Shop',
    allowedDomains: ['shop.example.com'],
    currency: 'USD',
    clickIdParam: 'clk',
    commission: { defaultBps: 500 },
  });
  const secret = isRecord(merchant) ? merchant.webhookSecret : undefined;
  if (typeof secret !== 'string') throw new Error('POST /admin/merchants answered without a webhookSecret');
  await adminPost(baseUrl, adminToken, '/admin/influencers', {
    influencerId: INFLUENCER_ID,
    handle: 'bench_wh',
    name: 'Bench Webhooks',
  });
  await adminPost(baseUrl, adminToken, '/admin/links', {
    code: LINK_CODE,
    influencerId: INFLUENCER_ID,
    merchantId: MERCHANT_ID,
    targetUrl: 'https://shop.example.com/products/42?ref=bench',
    campaign: 'bench',
  });
  return secret;
}

/** One real click per visitor (a desktop browser with its own valid `vid`): their click ids. */
async function makeClicks(baseUrl: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const visitor = `whbench_${String(i).padStart(14, '0')}`;
      const res = await fetch(`${baseUrl}/${LINK_CODE}`, {
        headers: { 'user-agent': BROWSER_USER_AGENT, cookie: `vid=${visitor}` },
        redirect: 'manual',
      });
      await res.arrayBuffer();
      const location = res.headers.get('location') ?? '';
      const clickId = location ? new URL(location).searchParams.get('clk') : null;
      if (res.status !== 302 || !clickId) {
        throw new Error(
          `GET /${LINK_CODE} answered ${res.status} to ${location || 'nowhere'}, not a tracked 302`,
        );
      }
      ids[i] = clickId;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return ids;
}

async function startBaseline(ctx: BenchContext) {
  // A DynamoDB Local of its own, file-backed like the runtime's, with tables of the same definitions
  // (indexes, stream) that nothing reads; the server runs its SQS emulator inside itself, as npm
  // start does. Nothing of the runtime's serves the baseline, nor shares a process with it.
  const dataDir = join(ctx.tmpDir, 'baseline-store');
  const store = await startDynamoDbLocal({ dataDir });
  ctx.scope.defer('baseline DynamoDB Local', () => store.stop());
  const javaPid = onlyOne(dynamoDbLocalPids(dataDir), 'baseline DynamoDB Local process');
  const names = localTableNames('bench-baseline');
  const dynamo = new DynamoDBClient({ endpoint: store.endpoint, ...sdkLocal() });
  try {
    await dynamo.send(new CreateTableCommand(createTableInput(names.webhookInbox, tables.webhookInbox)));
    await dynamo.send(new CreateTableCommand(createTableInput(names.orders, tables.orders)));
  } finally {
    dynamo.destroy();
  }
  const child = spawnNode(
    ctx.scope,
    'webhook baseline server',
    [...cpuProfileArgs(), '--import', 'tsx', baselineScript],
    {
      ipc: true,
      env: {
        ...process.env,
        BENCH_DYNAMO_ENDPOINT: store.endpoint,
        BENCH_INBOX_TABLE: names.webhookInbox,
        BENCH_ORDERS_TABLE: names.orders,
      },
    },
  );
  const message = await child.firstMessage;
  const port = isRecord(message) ? message.port : undefined;
  if (typeof port !== 'number') throw new Error(`webhook baseline server sent ${JSON.stringify(message)}`);
  return { child, port, javaPid, store };
}

// ---------------------------------------------------------------- reading the outcome

/**
 * Waits until every webhook's inbox item is marked processed — the worker does that in the same
 * transaction that writes the order and its credits — and returns each one's times. Polls the
 * oldest 100 still unprocessed (the queue is roughly first in, first out), one BatchGetItem a poll.
 */
async function waitUntilProcessed(
  documents: DynamoDBDocumentClient,
  inboxTable: string,
  ids: string[],
  timeoutMs: number,
): Promise<Map<string, InboxTimes>> {
  const times = new Map<string, InboxTimes>();
  let waiting = [...ids];
  const deadline = Date.now() + timeoutMs;
  while (waiting.length > 0) {
    const batch = waiting.slice(0, 100);
    const read = await readInbox(documents, inboxTable, batch);
    for (const [id, t] of read) if (t.processedAtMs !== undefined) times.set(id, t);
    waiting = waiting.filter((id) => !times.has(id));
    if (waiting.length === 0) break;
    if (Date.now() > deadline) {
      throw new Error(
        `${waiting.length} of ${ids.length} webhooks were not credited within ${timeoutMs / 1000} s`,
      );
    }
    // Only wait when the head of the queue is still being worked on.
    if (batch.some((id) => !times.has(id))) await new Promise((r) => setTimeout(r, 250));
  }
  return times;
}

async function readInbox(
  documents: DynamoDBDocumentClient,
  inboxTable: string,
  ids: string[],
): Promise<Map<string, InboxTimes>> {
  const out = new Map<string, InboxTimes>();
  const items = await batchGet(
    documents,
    inboxTable,
    ids.map((id) => inboxKey(MERCHANT_ID, id)),
  );
  for (const item of items) {
    const id = typeof item.webhookId === 'string' ? item.webhookId : '';
    const received = typeof item.receivedAt === 'string' ? Date.parse(item.receivedAt) : Number.NaN;
    const processed = typeof item.processedAt === 'string' ? Date.parse(item.processedAt) : undefined;
    out.set(id, { receivedAtMs: received, processedAtMs: processed });
  }
  return out;
}

/** Each order's root status (`credited`, `unattributed`, `pending`, or `missing`). */
async function readRoots(
  documents: DynamoDBDocumentClient,
  ordersTable: string,
  ids: string[],
): Promise<string[]> {
  const items = await batchGet(
    documents,
    ordersTable,
    ids.map((id) => ({ pk: orderPk(MERCHANT_ID, id), sk: 'ROOT' })),
  );
  const status = new Map(items.map((item) => [String(item.orderId), String(item.status)]));
  return ids.map((id) => status.get(id) ?? 'missing');
}

async function batchGet(
  documents: DynamoDBDocumentClient,
  tableName: string,
  keys: Array<Record<string, string>>,
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Array<Record<string, unknown>> = keys.slice(i, i + 100);
    while (pending.length > 0) {
      const out = await documents.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      items.push(...(out.Responses?.[tableName] ?? []));
      pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return items;
}

/** GET /admin/orders/{merchantId}/{orderId}: the credit must be readable through the API. */
async function checkOrderView(baseUrl: string, adminToken: string, orderId: string) {
  const path = `/admin/orders/${MERCHANT_ID}/${orderId}`;
  const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
  const body: unknown = await res.json().catch(() => undefined);
  const attributions = isRecord(body) && Array.isArray(body.attributions) ? body.attributions : [];
  const first: unknown = attributions[0];
  const summary =
    isRecord(body) && isRecord(first)
      ? `GET ${path} → ${res.status}: status ${String(body.status)}, commission ${String(body.commissionMinor)} minor units, ` +
        `${attributions.length} attribution(s), method ${String(first.method)}, click age ${String(first.clickAgeSeconds)} s`
      : `GET ${path} → ${res.status}`;
  const ok = res.status === 200 && isRecord(body) && body.status === 'credited' && attributions.length === 1;
  return {
    summary,
    problem: ok ? undefined : `the last timed order is not credited in the order view: ${summary}`,
  };
}

async function counter(counterUrl: string, method: 'GET' | 'POST', path: string): Promise<CountRow[]> {
  const res = await fetch(`${counterUrl}${path}`, { method });
  const body: unknown = await res.json();
  const rows = isRecord(body) && Array.isArray(body.rows) ? body.rows : undefined;
  if (res.status !== 200 || !rows) throw new Error(`call counter ${path} answered ${res.status}`);
  return rows.filter(isRecord).map((r) => ({
    origin: String(r.origin),
    operation: String(r.operation),
    tables: String(r.tables),
    calls: Number(r.calls),
  }));
}

// ---------------------------------------------------------------- report

function summarise(input: {
  settings: BenchContext['settings'];
  runs: AcceptRun[];
  counts: CountRow[];
  e2e: {
    load: WebhookLoadResult;
    times: Map<string, InboxTimes>;
    credited: number;
    view: string;
    /** Shares of all the machine's cores over the run: npm start, DynamoDB Local, everything. */
    cpu: { runtime: number; java: number; all: number };
  };
  problems: string[];
}): Section {
  const { settings, runs, counts, e2e, problems } = input;
  const medianOf = (pick: (r: AcceptRun) => number) => ({
    runtime: median(runs.filter((r) => r.target === 'runtime').map(pick)),
    baseline: median(runs.filter((r) => r.target === 'baseline').map(pick)),
  });
  const pairRow = (figure: string, pair: { runtime: number; baseline: number }, digits: number): Row => ({
    figure,
    value: digits === 0 ? int(pair.runtime) : fixed(pair.runtime, digits),
    baseline: digits === 0 ? int(pair.baseline) : fixed(pair.baseline, digits),
    ratio: ratio(pair.runtime, pair.baseline),
    goal: '',
  });
  const c = settings.connections;

  // End to end.
  const times = [...e2e.times.values()];
  const lastCreditMs = Math.max(...times.map((t) => t.processedAtMs ?? Number.NaN));
  const e2eSeconds = (lastCreditMs - e2e.load.startedAtMs) / 1000;
  const creditedPerSecond = E2E_ORDERS / e2eSeconds;
  const latencies = times.map((t) => (t.processedAtMs ?? Number.NaN) - t.receivedAtMs).sort((a, b) => a - b);
  const quantile = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;

  // Calls.
  const sum = (rows: CountRow[]) => rows.reduce((n, r) => n + r.calls, 0);
  const ingest = counts.filter((r) => r.origin === 'ingest');
  const worker = counts.filter((r) => r.origin === 'attribution');
  const others = counts.filter((r) => r.origin !== 'ingest' && r.origin !== 'attribution');
  const workerPerOrder = sum(worker) / COUNTED_ORDERS;
  const ingestPerWebhook = sum(ingest) / COUNTED_ORDERS;

  const rps = medianOf((r) => r.load.requestsPerSecond);
  const paired = [...new Set(runs.map((r) => r.round))].map((round) => {
    const inRound = (target: Target['name']) =>
      runs.find((r) => r.round === round && r.target === target)?.load.requestsPerSecond ?? Number.NaN;
    return inRound('runtime') / inRound('baseline');
  });
  const pairedRatio = median(paired);
  const cpuOf = (pick: (cpu: CpuPerAccept) => number) => medianOf((r) => pick(r.cpu));
  const serverCpu = cpuOf((u) => u.server);
  const javaCpu = cpuOf((u) => u.dynamoDbLocal);
  const loadCpu = cpuOf((u) => u.loadGenerator);
  const cores = cpus().length;
  // What the cores could accept per second if this side's server and store had them all. The load
  // generator is left out: its CPU is mostly signing and start-up, fixed per run, not per webhook.
  const ceiling = (side: Target['name']) => (cores * 1000) / (serverCpu[side] + javaCpu[side]);
  const allCallsPerWebhook = sum(counts) / COUNTED_ORDERS;
  const rows: Row[] = [
    {
      ...pairRow(
        `Accepted webhooks per second, ${c} connections (npm start, its worker crediting meanwhile; baseline on stores of its own)`,
        rps,
        0,
      ),
      ratio: `${ratio(rps.runtime, rps.baseline)} (paired by round: ${pairedRatio.toFixed(2)}×)`,
      goal: `≥ ${ACCEPT_RATIO_GOAL}× (paired)`,
      met: pairedRatio >= ACCEPT_RATIO_GOAL,
    },
    pairRow(
      'CPU per accepted webhook, the server process (ms; npm start: ingest, worker, stream consumers, SQS emulator)',
      serverCpu,
      2,
    ),
    pairRow('CPU per accepted webhook, its DynamoDB Local (ms)', javaCpu, 2),
    pairRow(
      `Accepted webhooks per second the ${cores} cores allow (server + DynamoDB Local CPU per webhook)`,
      { runtime: ceiling('runtime'), baseline: ceiling('baseline') },
      0,
    ),
    {
      figure:
        'DynamoDB calls per accepted webhook, every function of npm start (ingest, worker, stream consumers and pollers; counted)',
      value: fixed(allCallsPerWebhook, 2),
      baseline: '1 (TransactWriteItems)',
      ratio: ratio(allCallsPerWebhook, 1),
      goal: '',
    },
    pairRow(
      `Webhook accept latency p50, ${c} connections (ms)`,
      medianOf((r) => r.load.p50Ms),
      1,
    ),
    pairRow(
      `Webhook accept latency p99, ${c} connections (ms)`,
      medianOf((r) => r.load.p99Ms),
      1,
    ),
    {
      figure: `Orders credited end to end per second (${int(E2E_ORDERS)} sent at ${c} connections, webhook in → credit written)`,
      value: fixed(creditedPerSecond, 1),
      baseline: `${fixed(e2e.load.requestsPerSecond, 1)} (the same ${int(E2E_ORDERS)} accepted/s)`,
      ratio: ratio(creditedPerSecond, e2e.load.requestsPerSecond),
      goal: '',
    },
    {
      figure: `Webhook accepted → credit written, per order, p50 / p99 (ms; same ${int(E2E_ORDERS)} orders, queueing included)`,
      value: `${int(quantile(0.5))} / ${int(quantile(0.99))}`,
      baseline: '—',
      ratio: '—',
      goal: '',
    },
    {
      figure: 'DynamoDB calls per credited order, attribution worker (counted)',
      value: fixed(workerPerOrder, 3),
      baseline: '—',
      ratio: '—',
      goal: `≤ ${WORKER_CALLS_GOAL} (to 2 decimals)`,
      met: Math.round(workerPerOrder * 100) / 100 <= WORKER_CALLS_GOAL,
    },
    {
      figure: 'DynamoDB calls per accepted webhook, ingest (counted)',
      value: fixed(ingestPerWebhook, 3),
      baseline: '1 (bare server: TransactWriteItems)',
      ratio: ratio(ingestPerWebhook, 1),
      goal: '',
    },
  ];

  const perRun = table(
    [
      'Round',
      'Server',
      'Accepted/s',
      'p50 ms',
      'p99 ms',
      '202s in the window',
      'Sent',
      'Credited meanwhile/s',
      'CPU ms per webhook: server / DynamoDB Local / load generator',
      'Other work on the machine',
    ],
    runs.map((r) => [
      String(r.round),
      r.target,
      int(r.load.requestsPerSecond),
      fixed(r.load.p50Ms, 1),
      fixed(r.load.p99Ms, 1),
      int(r.load.inWindow),
      `${int(r.load.sent)}${r.load.exhausted ? ' (ran out)' : ''}`,
      r.creditedPerSecond === undefined ? '—' : int(r.creditedPerSecond),
      `${fixed(r.cpu.server, 2)} / ${fixed(r.cpu.dynamoDbLocal, 2)} / ${fixed(r.cpu.loadGenerator, 2)}`,
      `${Math.round(r.otherWorkShare * 100)}% of the cores`,
    ]),
  );
  const callTable = (rowsIn: CountRow[], per: number) =>
    table(
      ['Function', 'Operation', 'Table(s)', 'Calls', `Per order (${per})`],
      [...rowsIn]
        .sort((a, b) => a.origin.localeCompare(b.origin) || b.calls - a.calls)
        .map((r) => [r.origin, r.operation, r.tables, int(r.calls), fixed(r.calls / per, 3)]),
    );
  const otherWork = median(runs.map((r) => r.otherWorkShare));
  const warnings =
    otherWork > BUSY_MACHINE_SHARE
      ? [
          `other jobs used ${Math.round(otherWork * 100)}% of this machine's cores during the median webhook accept run, ` +
            'so the absolute webhook figures are low and noisy (see the per-run table); the call counts are exact.',
        ]
      : [];
  const maxAge = Math.max(e2e.load.maxSignatureAgeSeconds, ...runs.map((r) => r.load.maxSignatureAgeSeconds));

  return {
    title: 'Signed order webhooks',
    rows,
    warnings,
    problems,
    details: [
      `Accept runs: ${settings.durationSeconds} s each at ${c} connections, the baseline then the runtime in each round; the summary gives the median of each server's runs. ` +
        `Runtime/baseline accepted/s paired by round: ${paired.map((r) => r.toFixed(2)).join(', ')} (median ${median(paired).toFixed(2)}). ` +
        'Each round starts once the previous runtime run is fully credited; during a runtime run its worker credits the accepted orders in the same process (as `npm start` does), so the runtime figure is the ingest with its worker running, not the ingest alone. ' +
        "While one side is measured the other side's processes (server and DynamoDB Local) are stopped, so each has the machine to itself.",
      perRun,
      whereTheTimeGoes({ rps, serverCpu, javaCpu, loadCpu, ceiling, cores, allCallsPerWebhook, pairedRatio }),
      `End to end: ${int(E2E_ORDERS)} webhooks accepted in ${fixed(e2e.load.windowSeconds, 1)} s (${fixed(e2e.load.requestsPerSecond, 1)}/s, ` +
        `p50 ${fixed(e2e.load.p50Ms, 1)} ms, p99 ${fixed(e2e.load.p99Ms, 1)} ms); the last credit was written ${fixed(e2eSeconds, 1)} s after the first webhook was sent; ` +
        `${int(e2e.credited)} of ${int(E2E_ORDERS)} orders credited. ${e2e.view}.`,
      `CPU during the end-to-end run, as shares of the machine's ${cpus().length} cores: npm start (ingest, worker, SQS emulator) ${pct(e2e.cpu.runtime)}, ` +
        `DynamoDB Local ${pct(e2e.cpu.java)}, everything on the machine ${pct(e2e.cpu.all)}. ` +
        'Locally one poller feeds the worker 10 messages at a time from the orders queue, and the worker makes its DynamoDB calls for an order one after another, so crediting runs at about 10 orders per batch round trip; ' +
        (e2e.cpu.all < 0.75
          ? `with the cores ${pct(e2e.cpu.all)} busy, that latency, not CPU, bounds the rate here.`
          : `with the cores ${pct(e2e.cpu.all)} busy (${pct(Math.max(0, e2e.cpu.all - e2e.cpu.runtime - e2e.cpu.java))} by the load generator and other jobs), CPU bounds it as well.`),
      `DynamoDB calls in the runtime process while ${COUNTED_ORDERS} webhooks were accepted and credited, by the function that made them (attribution worker and ingest):`,
      callTable([...worker, ...ingest], COUNTED_ORDERS),
      `Meanwhile, work that is not the order's path (the report aggregator on the orders stream, the local stream pollers, the outbox-redrive timer): ${
        others.length === 0
          ? 'none'
          : others
              .sort((a, b) => b.calls - a.calls)
              .map((r) => `${r.origin}: ${r.operation} ${r.tables} ×${r.calls}`)
              .join(', ')
      }.`,
      `Signatures were at most ${fixed(maxAge, 1)} s old when sent (tolerance 300 s).`,
    ],
    howMeasured: `**Webhooks.** \`bin/local.ts\` (what \`npm start\` runs) is started as a child process on a fresh temporary DATA_DIR and free port, with bench/lib/dynamo-call-origins.ts preloaded (\`--import\`); a merchant (its webhook secret from the create response), an influencer and a link are created through the admin API, and ${CLICK_POOL} real clicks are made through the redirect, each by a distinct visitor (own \`vid\` cookie). Every webhook is a distinct \`order.created\` (own \`webhook-id\` and orderId, two lines, a real click id, click i mod ${CLICK_POOL}) signed with the merchant's secret by \`standardwebhooks\`; the load generator (bench/lib/webhook-load.ts, a child process, ${c} keep-alive connections with one request in flight each) signs all its requests before its clock starts, and checks every answer is a 202. **Accept rate and latency**: after a warm-up of each (${WARMUP_BASELINE_ORDERS} and ${WARMUP_RUNTIME_ORDERS} webhooks), ${Math.max(1, Math.floor(settings.rounds / 2))} round(s) of ${settings.durationSeconds} s on the baseline then ${settings.durationSeconds} s on the runtime, each round starting once the previous runtime run's orders are all credited (its worker would otherwise share the machine with the next baseline run; alternating the order within rounds would cost one such wait per round); the rate counts the 202s completed in the window, latencies are the load generator's (sub-millisecond). The baseline (bench/lib/webhook-baseline-server.ts) is a bare Node.js \`http\` server doing only what any durable accept must: the same TransactWriteItems (inbox item + pending order, built by the product's own item builders) and SendMessage, on stores of its own set up as \`npm start\` sets up its own: a file-backed DynamoDB Local of its own (tables of the same definitions) and the same SQS emulator (fauxqs) inside its process. While one side is measured, the other side's server and DynamoDB Local are stopped (SIGSTOP, resumed after the run), so neither side's work or idle polling is in the other's figures. CPU per webhook is each process's user + system time from /proc over the run divided by the webhooks sent (all answered): the server's, its DynamoDB Local's, and the load generator's (a reaped child). The ratio is what everything else costs: reading the merchant and unsealing its secret, verifying the signature, zod validation, the API Gateway emulation, logging, and (in \`npm start\`, one process) the attribution worker crediting the accepted orders meanwhile. **End to end**: ${int(E2E_ORDERS)} webhooks are sent as fast as they are accepted; an order counts as credited when its inbox item carries \`processedAt\`, which the worker sets in the same transaction that writes the order and its credit; the time is from the first webhook sent to the latest \`processedAt\` (the worker's clock, the same machine), and each order's own latency is \`processedAt − receivedAt\`. Afterwards each order's root is read (all must be \`credited\`) and the last one is read through \`GET /admin/orders\`. **Calls**: the preloaded counter counts every HTTP request the runtime process sends to DynamoDB Local (retries included) by \`X-Amz-Target\` operation and table(s), and by the function whose code made the SDK call (the first \`functions/<name>/\` frame on the stack, synchronous or async, when \`send\` is called; carried to the request in an AsyncLocalStorage), so the ingest's and the worker's calls on the same tables are told apart; counting runs only while ${COUNTED_ORDERS} webhooks are accepted and credited, after a warm-up that marked the influencer as payee and filled the worker's merchant cache (a refresh once a minute may add one GetItem).`,
  };
}

/**
 * Why the accept rate is what it is: on this machine a side is bound by the CPU its processes spend
 * per accepted webhook, so the ratio of those costs (and of the DynamoDB calls behind them) is the
 * explanation the report gives, with the numbers of this run.
 */
function whereTheTimeGoes(input: {
  rps: { runtime: number; baseline: number };
  serverCpu: { runtime: number; baseline: number };
  javaCpu: { runtime: number; baseline: number };
  loadCpu: { runtime: number; baseline: number };
  ceiling: (side: Target['name']) => number;
  cores: number;
  allCallsPerWebhook: number;
  pairedRatio: number;
}): string {
  const { rps, serverCpu, javaCpu, loadCpu, ceiling, cores, allCallsPerWebhook, pairedRatio } = input;
  const total = (side: Target['name']) => serverCpu[side] + javaCpu[side];
  const busy = (side: Target['name']) => (rps[side] * total(side)) / (cores * 1000);
  const verdict =
    pairedRatio >= ACCEPT_RATIO_GOAL
      ? `npm start accepts ${pairedRatio.toFixed(2)}× the bare server's rate (goal ${ACCEPT_RATIO_GOAL}×).`
      : `npm start accepts ${pairedRatio.toFixed(2)}× the bare server's rate, short of ${ACCEPT_RATIO_GOAL}×, and the CPU figures say why.`;
  return (
    `**Where the time goes.** ${verdict} Per accepted webhook npm start spent ${fixed(serverCpu.runtime, 2)} ms of CPU in its process ` +
    `(against ${fixed(serverCpu.baseline, 2)} ms for the bare server) and its DynamoDB Local ${fixed(javaCpu.runtime, 2)} ms ` +
    `(against ${fixed(javaCpu.baseline, 2)} ms: npm start makes ${fixed(allCallsPerWebhook, 2)} DynamoDB calls per webhook — the ingest's transaction, ` +
    "the worker's reads and transaction for the same order, the stream consumers' — where the bare server makes one): " +
    `${fixed(total('runtime'), 2)} ms against ${fixed(total('baseline'), 2)} ms, so the ${cores} cores allow at most ` +
    `${int(ceiling('runtime'))} against ${int(ceiling('baseline'))} webhooks per second (${ratio(ceiling('runtime'), ceiling('baseline'))}). ` +
    `In the runs the processes of the side measured kept ${pct(busy('runtime'))} (npm start) and ${pct(busy('baseline'))} (bare server) of the cores busy; ` +
    'the rest is other work on this shared machine and the time each request waits for DynamoDB Local. ' +
    'CPU per webhook includes what a process spends whatever the load (idle pollers), spread over the webhooks of the run, so it reads high when the rate is low; ' +
    `the load generator's (${fixed(loadCpu.runtime, 2)} and ${fixed(loadCpu.baseline, 2)} ms, signing and start-up included) is in the per-run table.`
  );
}

// ---------------------------------------------------------------- helpers

const pct = (share: number) => `${Math.round(share * 100)}%`;

function tally(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function onlyOne(pids: number[], what: string): number {
  const [pid, ...rest] = pids;
  if (pid === undefined || rest.length > 0) throw new Error(`Expected one ${what}, found ${pids.length}`);
  return pid;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * BENCH_CPU_PROFILE_DIR=<dir>: the servers under test write V8 CPU profiles there when they stop
 * (`node --cpu-prof`), to see where an accept's time goes; the load generator is never profiled.
 */
function cpuProfileArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROFILE_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}
