/**
 * CONTRACT §6's bounds on the real stand-ins: a visitor (whose `vid` cookie the client chooses) with
 * clicks of 60 influencers gets its order credited to 20, read newest first past another
 * merchant's clicks; and after a payout, a cancellation claws back all 20 credits. Every
 * transaction stays within DynamoDB's 100 items.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { QueuePoller } from '../../lib/local/queues';
import { sdkLocal } from '../../lib/local/stores';
import { context, httpEvent, redirectEvent } from '../support/events';
import { type HttpHandler, pollQueue, type SqsHandler, waitFor } from '../support/handlers';
import { useTestStores } from '../support/stores';
import { webhookEvent } from '../support/webhooks';

let admin: HttpHandler;
let redirect: HttpHandler;
let ingest: HttpHandler;
let payoutsApi: HttpHandler;
let sqs: SQSClient;
const pollers: QueuePoller[] = [];
let secret = '';
/** The number of items of every TransactWriteItems call. */
const transactionSizes: number[] = [];

const INFLUENCERS = 60;
const influencerId = (n: number) => `inf-${String(n).padStart(2, '0')}`;
const VISITOR = 'visitor-bounds-000000001';

async function call(handler: HttpHandler, method: string, route: string, body?: unknown, extra = {}) {
  const res = await handler(httpEvent({ method, route, body, admin: true, ...extra }), context());
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

async function clickThrough(code: string) {
  const res = await redirect(redirectEvent(code, VISITOR), context());
  expect(res.statusCode).toBe(302);
  return new URL(res.headers?.location ?? '').searchParams.get('clk') ?? '';
}

const orderView = (orderId: string) =>
  call(admin, 'GET', '/admin/orders/{merchantId}/{orderId}', undefined, {
    pathParameters: { merchantId: 'bounds', orderId },
  });

beforeAll(async () => {
  const stores = await useTestStores('bounds', { PAYOUT_RUN_WAIT_MS: '20000' });
  sqs = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  const aws = await import('../../functions/common/clients/aws');
  aws.dynamo().middlewareStack.add(
    (next, ctx) => async (args) => {
      if (ctx.commandName === 'TransactWriteItemsCommand') {
        const items = (args as { input?: { TransactItems?: unknown[] } }).input?.TransactItems ?? [];
        transactionSizes.push(items.length);
      }
      return next(args);
    },
    { step: 'initialize', name: 'transactionSizes' },
  );
  admin = (await import('../../functions/admin/handler')).handler as unknown as HttpHandler;
  redirect = (await import('../../functions/redirect/handler')).handler as unknown as HttpHandler;
  ingest = (await import('../../functions/ingest/handler')).handler as unknown as HttpHandler;
  payoutsApi = (await import('../../functions/payouts/handler')).handler as unknown as HttpHandler;
  const attribution = (await import('../../functions/attribution/handler')).handler as unknown as SqsHandler;
  const payoutWorker = (await import('../../functions/payout-worker/handler'))
    .handler as unknown as SqsHandler;
  pollers.push(
    pollQueue(sqs, stores.queues.orders, 'orders', attribution),
    pollQueue(sqs, stores.queues.payoutJobs, 'payoutJobs', payoutWorker),
  );

  for (const [merchantId, model] of [
    ['bounds', 'linear'],
    ['elsewhere', 'last_click'],
  ]) {
    const merchant = await call(admin, 'POST', '/admin/merchants', {
      merchantId,
      name: merchantId,
      allowedDomains: ['shop.example.com'],
      currency: 'USD',
      attributionModel: model,
      holdDays: 0,
      commission: { defaultBps: 1000 },
    });
    expect(merchant.status).toBe(201);
    if (merchantId === 'bounds') secret = merchant.body.webhookSecret;
  }
  for (let n = 0; n < INFLUENCERS; n++) {
    const id = influencerId(n);
    expect(
      (
        await call(admin, 'POST', '/admin/influencers', {
          influencerId: id,
          handle: id,
          name: id,
          payoutMinimumMinor: 0,
        })
      ).status,
    ).toBe(201);
    const link = await call(admin, 'POST', '/admin/links', {
      code: `${id}-bounds`,
      influencerId: id,
      merchantId: 'bounds',
      targetUrl: 'https://shop.example.com/p',
    });
    expect(link.status).toBe(201);
  }
  const other = await call(admin, 'POST', '/admin/links', {
    code: 'elsewhere-link',
    influencerId: influencerId(0),
    merchantId: 'elsewhere',
    targetUrl: 'https://shop.example.com/q',
  });
  expect(other.status).toBe(201);
});

afterAll(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
  sqs.destroy();
});

test('an order of a visitor with clicks of 60 influencers is credited to 20; after a payout its cancellation claws back all 20', async () => {
  // One click on each influencer's link, oldest first; then 60 newer clicks on another merchant's
  // link, so the newest page of the visitor's clicks holds fewer than 50 candidates.
  let lastClickId = '';
  for (let n = 0; n < INFLUENCERS; n++) lastClickId = await clickThrough(`${influencerId(n)}-bounds`);
  for (let n = 0; n < 60; n++) await clickThrough('elsewhere-link');

  const orderId = 'BIG-1';
  const occurredAt = new Date(Date.now() + 1000).toISOString();
  const accepted = await ingest(
    webhookEvent('bounds', secret, {
      type: 'order.created',
      orderId,
      occurredAt,
      currency: 'USD',
      clickId: lastClickId,
      lines: [{ sku: 'S', quantity: 1, unitPriceMinor: 100_000 }],
    }),
    context(),
  );
  expect(accepted.statusCode).toBe(202);
  const credited = await waitFor(
    () => orderView(orderId),
    (o) => o.body?.status !== 'pending',
  );
  expect(credited.body.status).toBe('credited');
  // The 50 newest candidates are the clicks of inf-10..inf-59, all of equal (linear) weight: the 20
  // whose first click is earliest are credited, each 500 bps of a commission of 10 000.
  const attributions = credited.body.attributions as Array<{
    influencerId: string;
    weightBps: number;
    commissionMinor: number;
  }>;
  expect(attributions.map((a) => a.influencerId)).toEqual(
    Array.from({ length: 20 }, (_, n) => influencerId(n + 10)),
  );
  expect(attributions.every((a) => a.weightBps === 500 && a.commissionMinor === 500)).toBe(true);

  const period = occurredAt.slice(0, 7);
  const run = await call(payoutsApi, 'POST', '/admin/payouts/runs', { period });
  expect(run.status).toBe(200);
  expect(run.body.payouts).toHaveLength(20);
  const paid = await orderView(orderId);
  expect(paid.body.attributions.every((a: { status: string }) => a.status === 'paid')).toBe(true);

  const cancelled = await ingest(
    webhookEvent('bounds', secret, {
      type: 'order.cancelled',
      orderId,
      occurredAt: new Date(Date.now() + 2000).toISOString(),
    }),
    context(),
  );
  expect(cancelled.statusCode).toBe(202);
  const clawedBack = await waitFor(
    () => orderView(orderId),
    (o) => o.body?.adjustments?.length === 20,
  );
  expect(clawedBack.body.adjustments).toHaveLength(20);
  expect(clawedBack.body.adjustments.every((a: { amountMinor: number }) => a.amountMinor === -500)).toBe(
    true,
  );

  // The cancellation's transaction: its event, 20 clawbacks, the root and the inbox update.
  expect(transactionSizes).toContain(23);
  expect(Math.max(...transactionSizes)).toBeLessThanOrEqual(100);
});
