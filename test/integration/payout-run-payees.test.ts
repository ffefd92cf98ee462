/**
 * A payout run's payee set is fixed once (the first start records it before any job is queued),
 * later starts only queue again the recorded jobs that are not done, and recording and queueing go
 * on where a start stopped: through the worker's continuation message, or through the next start.
 * On the real stand-ins; the payout worker runs only when a test lets it.
 */
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { QueuePoller } from '../../lib/local/queues';
import { sdkLocal } from '../../lib/local/stores';
import { context, httpEvent } from '../support/events';
import { type HttpHandler, pollQueue, type SqsHandler, waitFor } from '../support/handlers';
import { useTestStores } from '../support/stores';
import { webhookEvent } from '../support/webhooks';

let admin: HttpHandler;
let ingest: HttpHandler;
let payoutsApi: HttpHandler;
let payoutWorker: SqsHandler;
let stores: Awaited<ReturnType<typeof useTestStores>>;
let sqs: SQSClient;
let attributionPoller: QueuePoller | undefined;
let payoutPoller: QueuePoller | undefined;
let secret = '';

async function call(handler: HttpHandler, method: string, route: string, body?: unknown, extra = {}) {
  const res = await handler(httpEvent({ method, route, body, admin: true, ...extra }), context());
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}
const start = (period: string) => call(payoutsApi, 'POST', '/admin/payouts/runs', { period });
const readRun = (period: string) =>
  call(payoutsApi, 'GET', '/admin/payouts', undefined, { query: `period=${period}` });
const orderView = (orderId: string) =>
  call(admin, 'GET', '/admin/orders/{merchantId}/{orderId}', undefined, {
    pathParameters: { merchantId: 'shop', orderId },
  });

let seq = 0;
async function credit(coupon: string, occurredAt: string) {
  const orderId = `P-${++seq}`;
  const res = await ingest(
    webhookEvent('shop', secret, {
      type: 'order.created',
      orderId,
      occurredAt,
      currency: 'USD',
      couponCode: coupon,
      lines: [{ sku: 'S', quantity: 1, unitPriceMinor: 10_000 }],
    }),
    context(),
  );
  expect(res.statusCode).toBe(202);
  const view = await waitFor(
    () => orderView(orderId),
    (o) => o.body?.status === 'credited',
  );
  expect(view.body.status).toBe('credited');
  return orderId;
}
const statusOf = async (orderId: string) => (await orderView(orderId)).body.attributions[0].status;

function startPayoutWorker() {
  payoutPoller ??= pollQueue(sqs, stores.queues.payoutJobs, 'payoutJobs', payoutWorker);
}
async function stopPayoutWorker() {
  await payoutPoller?.stop();
  payoutPoller = undefined;
}

const payeesOf = (run: { body: { payouts: Array<{ influencerId: string }> } }) =>
  run.body.payouts.map((p) => p.influencerId).sort();

beforeAll(async () => {
  // The API answers at once (202 while running), so a test decides when the worker runs.
  stores = await useTestStores('payees', { PAYOUT_RUN_WAIT_MS: '0' }, { visibilityTimeoutSeconds: 1 });
  sqs = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  admin = (await import('../../functions/admin/handler')).handler as unknown as HttpHandler;
  ingest = (await import('../../functions/ingest/handler')).handler as unknown as HttpHandler;
  payoutsApi = (await import('../../functions/payouts/handler')).handler as unknown as HttpHandler;
  payoutWorker = (await import('../../functions/payout-worker/handler')).handler as unknown as SqsHandler;
  const attribution = (await import('../../functions/attribution/handler')).handler as unknown as SqsHandler;
  attributionPoller = pollQueue(sqs, stores.queues.orders, 'orders', attribution);

  const merchant = await call(admin, 'POST', '/admin/merchants', {
    merchantId: 'shop',
    name: 'Shop',
    allowedDomains: ['shop.example.com'],
    currency: 'USD',
    holdDays: 0,
    commission: { defaultBps: 1000 },
  });
  secret = merchant.body.webhookSecret;
  for (const id of ['ana', 'ben', 'cyd', 'dan', 'eve', 'fay', 'gus']) {
    const res = await call(admin, 'POST', '/admin/influencers', {
      influencerId: id,
      handle: id,
      name: id,
      payoutMinimumMinor: 0,
      couponCodes: [id.toUpperCase()],
    });
    expect(res.status).toBe(201);
  }
});

afterAll(async () => {
  await stopPayoutWorker();
  await attributionPoller?.stop();
  sqs.destroy();
});

test('a payee credited for the first time between two starts of a period is not added to the run', async () => {
  const ana = await credit('ANA', '2026-07-02T00:00:00.000Z');
  const ben = await credit('BEN', '2026-07-03T00:00:00.000Z');
  const first = await start('2026-07');
  expect(first.status).toBe(202);

  // cyd's first credit, due in 2026-07 too, arrives while the run's jobs wait in the queue.
  const cyd = await credit('CYD', '2026-07-04T00:00:00.000Z');
  const second = await start('2026-07');
  expect(second.status).toBe(202);
  // A stray job for cyd (e.g. from an older deployment) must not pay either.
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: stores.queues.payoutJobs.url,
      MessageBody: JSON.stringify({ period: '2026-07', influencerId: 'cyd' }),
    }),
  );

  startPayoutWorker();
  const done = await waitFor(
    () => readRun('2026-07'),
    (r) => r.body?.status === 'complete',
  );
  expect(done.body.status).toBe('complete');
  expect(payeesOf(done)).toEqual(['ana', 'ben']);
  expect([await statusOf(ana), await statusOf(ben), await statusOf(cyd)]).toEqual(['paid', 'paid', 'unpaid']);

  // Starting the complete run again changes nothing; the next period pays cyd.
  expect(payeesOf(await start('2026-07'))).toEqual(['ana', 'ben']);
  expect(await statusOf(cyd)).toBe('unpaid');
  await start('2026-08');
  const next = await waitFor(
    () => readRun('2026-08'),
    (r) => r.body?.status === 'complete',
  );
  expect(next.body.payouts).toEqual([
    {
      payoutId: expect.any(String),
      influencerId: 'cyd',
      currency: 'USD',
      amountMinor: 1000,
      items: 1,
      status: 'payable',
    },
  ]);
  expect(await statusOf(cyd)).toBe('paid');
});

describe('recording and queueing in bounded steps', () => {
  const boundedDeps = async (jobsQueueUrl: string) => {
    const { payoutRunDependencies } = await import('../../functions/payouts/dependencies');
    // One payee per page, two pages per call: 16 shards and 4 payees take many calls.
    return { ...payoutRunDependencies(), jobsQueueUrl, recordPageSize: 1, pagesPerCall: 2 };
  };

  test('a start hands the rest of the run to the worker, which finishes it', async () => {
    const ids = [
      await credit('DAN', '2026-09-02T00:00:00.000Z'),
      await credit('EVE', '2026-09-03T00:00:00.000Z'),
    ];
    const { startPayoutRun } = await import('../../functions/payouts/start-run');
    const started = await startPayoutRun(await boundedDeps(stores.queues.payoutJobs.url), '2026-09');
    expect(started).toEqual({ kind: 'running', queuedJobs: 0 });

    startPayoutWorker();
    const done = await waitFor(
      () => readRun('2026-09'),
      (r) => r.body?.status === 'complete',
    );
    expect(done.body.status).toBe('complete');
    // Every influencer credited so far is a payee of the run; only dan and eve had anything due.
    expect(payeesOf(done)).toEqual(['dan', 'eve']);
    const { payoutRepo } = await import('../../functions/common/repos/payouts');
    expect(await payoutRepo(stores.tables.payouts).run('2026-09')).toMatchObject({
      recorded: true,
      queued: true,
      recordedJobs: 5,
      doneJobs: 5,
    });
    expect(await Promise.all(ids.map(statusOf))).toEqual(['paid', 'paid']);
  });

  test('a start that stopped half way (its continuation lost) is continued by the next start', async () => {
    await stopPayoutWorker();
    const ids = [
      await credit('FAY', '2026-10-02T00:00:00.000Z'),
      await credit('GUS', '2026-10-03T00:00:00.000Z'),
    ];
    // The continuation goes to a queue nobody reads: as if the start had died after two pages.
    const lost = await sqs.send(new CreateQueueCommand({ QueueName: `${stores.prefix}-lost` }));
    const { startPayoutRun } = await import('../../functions/payouts/start-run');
    const stopped = await startPayoutRun(await boundedDeps(lost.QueueUrl ?? ''), '2026-10');
    expect(stopped.kind).toBe('running');
    expect((await readRun('2026-10')).body.status).toBe('running');

    // The next start (the API, with its ordinary limits) records the rest and queues every job.
    expect((await start('2026-10')).status).toBe(202);
    startPayoutWorker();
    const done = await waitFor(
      () => readRun('2026-10'),
      (r) => r.body?.status === 'complete',
    );
    expect(done.body.status).toBe('complete');
    expect(payeesOf(done)).toEqual(['fay', 'gus']);
    expect(await Promise.all(ids.map(statusOf))).toEqual(['paid', 'paid']);
  });
});
