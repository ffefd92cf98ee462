/**
 * End to end: `npm start` when DynamoDB Local's Java process dies (`kill -9`, as an OOM kill does).
 * It is restarted on the same data: meanwhile every route answers 503 `unavailable` (retryable) and
 * the pollers pause, with a line per change instead of a stack trace per poll; afterwards the data
 * is all there and clicks flow to reports again, each counted once. With restarts exhausted (here
 * `LOCAL_MAX_RESTARTS=0`) it stops everything with one line and a non-zero exit.
 */
import { createServer, type Server } from 'node:net';
import { z } from 'zod';
import {
  clickThrough,
  createInfluencer,
  createLink,
  createMerchant,
  SHOP_DOMAIN,
} from '../support/e2e-fixtures';
import {
  AdminClient,
  BROWSER_UA,
  bodyOf,
  errorBodySchema,
  HttpClient,
  type HttpResponse,
  merchantSchema,
  pollUntil,
} from '../support/e2e-http';
import { dynamoProcessesOf, type E2eRuntime, startRuntime } from '../support/e2e-runtime';
import { isAlive, processTree } from '../support/runtime-processes';

const started: E2eRuntime[] = [];

afterAll(async () => {
  await Promise.all(started.map((runtime) => runtime.stop('SIGKILL')));
}, 30_000);

async function start(env: Record<string, string> = {}): Promise<E2eRuntime> {
  const runtime = await startRuntime({ env });
  started.push(runtime);
  return runtime;
}

/** `kill -9` of the one DynamoDB Local of this runtime; returns its pid. */
function killJava(runtime: E2eRuntime): number {
  const java = dynamoProcessesOf(runtime.dataDir);
  expect(java).toHaveLength(1);
  const pid = Number(java[0]?.split(/\s+/)[0]);
  process.kill(pid, 'SIGKILL');
  return pid;
}

const reportSchema = z.looseObject({ clicks: z.number() });
const today = () => new Date().toISOString().slice(0, 10);

async function clicksInReport(admin: AdminClient, influencerId: string, atLeast: number): Promise<number> {
  const path = `/admin/reports/influencers/${influencerId}?from=${today()}&to=${today()}`;
  const last = await pollUntil(
    () => admin.get(path),
    (res) => res.status === 200 && bodyOf(res, reportSchema).clicks >= atLeast,
    30_000,
  );
  return bodyOf(last, reportSchema).clicks;
}

const isUnavailable = (res: HttpResponse) =>
  res.status === 503 && bodyOf(res, errorBodySchema).error.code === 'unavailable';

test('a killed DynamoDB Local is restarted on the same data; meanwhile routes answer 503 unavailable', async () => {
  const runtime = await start();
  const admin = new AdminClient(runtime.baseUrl, runtime.adminToken);
  const shopper = new HttpClient(runtime.baseUrl, { 'user-agent': BROWSER_UA });
  const merchant = await createMerchant(admin);
  const influencer = await createInfluencer(admin);
  const link = await createLink(admin, {
    influencerId: influencer.influencerId,
    merchantId: merchant.merchantId,
    targetUrl: `https://${SHOP_DOMAIN}/p`,
  });
  await clickThrough(shopper, link.code);
  expect(await clicksInReport(admin, influencer.influencerId, 1)).toBe(1);

  const before = runtime.output().length;
  const killed = killJava(runtime);

  // Until the supervisor has seen the exit, a request may still meet the closed port; then every
  // route is the gateway's retryable 503, in the contract's error shape.
  const down = await pollUntil(
    () => admin.get(`/admin/merchants/${merchant.merchantId}`),
    isUnavailable,
    10_000,
    20,
  );
  expect({ status: down.status, body: bodyOf(down, errorBodySchema) }).toEqual({
    status: 503,
    body: { error: { code: 'unavailable', message: expect.stringContaining('DynamoDB Local') } },
  });
  expect(down.headers.get('retry-after')).toBe('1');

  const health = await pollUntil(
    () => shopper.get('/healthz'),
    (res) => res.status === 200,
    60_000,
  );
  expect(health.status).toBe(200);
  const java = dynamoProcessesOf(runtime.dataDir);
  expect(java).toHaveLength(1);
  expect(Number(java[0]?.split(/\s+/)[0])).not.toBe(killed);

  // The same data, and the whole path works again: redirect, click, stream, aggregator, report.
  const again = await admin.get(`/admin/merchants/${merchant.merchantId}`);
  expect(again.status).toBe(200);
  expect(bodyOf(again, merchantSchema).merchantId).toBe(merchant.merchantId);
  await clickThrough(shopper, link.code);
  expect(await clicksInReport(admin, influencer.influencerId, 2)).toBe(2);

  // A line per change (down and restarting, back), not a stack trace per poll.
  const lines = runtime.output().slice(before).trim().split('\n');
  expect(lines.filter((line) => /^\s+at /.test(line))).toEqual([]);
  expect(lines).toEqual(
    expect.arrayContaining([
      expect.stringMatching(
        /^DynamoDB Local was killed by SIGKILL: restarting it on the same data .*routes answer 503 and the pollers pause\.$/,
      ),
      expect.stringMatching(
        /^DynamoDB Local is back on http:\/\/127\.0\.0\.1:\d+: routes and pollers resume\.$/,
      ),
    ]),
  );
  expect(lines.length).toBeLessThanOrEqual(10);

  const exit = await runtime.stop('SIGTERM');
  expect({ exit, javaLeft: dynamoProcessesOf(runtime.dataDir) }).toEqual({
    exit: { code: 0, signal: null, killed: false },
    javaLeft: [],
  });
}, 180_000);

/** Waits for `npm start` to end on its own (bounded), then returns how it ended. */
async function endedOnItsOwn(runtime: E2eRuntime) {
  await pollUntil(
    async () => isAlive(runtime.pid),
    (alive) => !alive,
    120_000,
  );
  return runtime.stop();
}

/**
 * Takes 127.0.0.1:`port` as soon as it is free (a dead process's socket closes), as another program
 * would: it closes every connection at once.
 */
async function occupy(port: number): Promise<Server> {
  for (;;) {
    const server = createServer((socket) => socket.destroy());
    const bound = await new Promise<boolean>((done) => {
      server.once('error', () => done(false));
      server.listen(port, '127.0.0.1', () => done(true));
    });
    if (bound) return server;
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('with restarts off, npm start stops everything with one line and a non-zero exit', async () => {
  const runtime = await start({ LOCAL_MAX_RESTARTS: '0' });
  const tree = processTree(runtime.pid);
  const before = runtime.output().length;
  killJava(runtime);

  const exit = await endedOnItsOwn(runtime);
  expect(exit).toEqual({ code: 1, signal: null, killed: false });
  expect(runtime.output().slice(before).trim().split('\n')).toEqual([
    'DynamoDB Local was killed by SIGKILL and restarts are off (LOCAL_MAX_RESTARTS=0): stopping npm start.',
  ]);
  expect({ javaLeft: dynamoProcessesOf(runtime.dataDir), alive: tree.filter(isAlive) }).toEqual({
    javaLeft: [],
    alive: [],
  });
}, 120_000);

test('a restart that fails counts as a try: with none left, npm start stops with one more line', async () => {
  const runtime = await start({ LOCAL_MAX_RESTARTS: '1' });
  const tree = processTree(runtime.pid);
  const before = runtime.output().length;
  const port = Number(new URL(runtime.dynamoEndpoint() ?? '').port);
  killJava(runtime);
  // The supervisor waits before its restart; by then its port is someone else's.
  const squatter = await occupy(port);
  try {
    const exit = await endedOnItsOwn(runtime);
    expect(exit).toEqual({ code: 1, signal: null, killed: false });
  } finally {
    squatter.close();
  }
  expect(runtime.output().slice(before).trim().split('\n')).toEqual([
    expect.stringMatching(
      /^DynamoDB Local was killed by SIGKILL: restarting it on the same data in \d+ ms \(try 1 of 1\)/,
    ),
    expect.stringMatching(
      /^DynamoDB Local was killed by SIGKILL; 1 restart in a row did not keep it up \(last: did not start \(.*Failed to bind.*\)\): stopping npm start\.$/,
    ),
  ]);
  expect({ javaLeft: dynamoProcessesOf(runtime.dataDir), alive: tree.filter(isAlive) }).toEqual({
    javaLeft: [],
    alive: [],
  });
}, 180_000);
