/**
 * Per-influencer rates in attribution (CONTRACT §10) on the real stand-ins: two influencers with
 * different rates share one linear order, each at its own rate; the terms in force when the order
 * was first credited stay its terms for its refunds, and a later change of terms applies only to
 * orders credited after it.
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
let sqs: SQSClient;
let poller: QueuePoller | undefined;
let secret = '';
const VISITOR = 'visitor-deal-rates-00001';

async function call(method: string, route: string, body?: unknown, extra = {}) {
  const res = await admin(httpEvent({ method, route, body, admin: true, ...extra }), context());
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

async function clickThrough(code: string): Promise<string> {
  const res = await redirect(redirectEvent(code, VISITOR), context());
  expect(res.statusCode).toBe(302);
  return new URL(res.headers?.location ?? '').searchParams.get('clk') ?? '';
}

async function send(event: Record<string, unknown>) {
  const res = await ingest(webhookEvent('deals', secret, event), context());
  expect(res.statusCode).toBe(202);
}

const order = (orderId: string) =>
  call('GET', '/admin/orders/{merchantId}/{orderId}', undefined, {
    pathParameters: { merchantId: 'deals', orderId },
  });
const shares = (view: { body: { attributions: Array<{ influencerId: string; commissionMinor: number }> } }) =>
  Object.fromEntries(view.body.attributions.map((a) => [a.influencerId, a.commissionMinor]));

const setTerms = async (influencerId: string, defaultBps: number) =>
  expect(
    (
      await call(
        'PUT',
        '/admin/merchants/{merchantId}/influencers/{influencerId}',
        {
          terms: { commission: { defaultBps } },
        },
        { pathParameters: { merchantId: 'deals', influencerId } },
      )
    ).status,
  ).toBe(200);

beforeAll(async () => {
  const stores = await useTestStores('dealrates');
  sqs = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  admin = (await import('../../functions/admin/handler')).handler as unknown as HttpHandler;
  redirect = (await import('../../functions/redirect/handler')).handler as unknown as HttpHandler;
  ingest = (await import('../../functions/ingest/handler')).handler as unknown as HttpHandler;
  const attribution = (await import('../../functions/attribution/handler')).handler as unknown as SqsHandler;
  poller = pollQueue(sqs, stores.queues.orders, 'orders', attribution);
  const merchant = await call('POST', '/admin/merchants', {
    merchantId: 'deals',
    name: 'Deals',
    allowedDomains: ['shop.example.com'],
    currency: 'USD',
    attributionModel: 'linear',
    commission: { defaultBps: 1_000 },
  });
  expect(merchant.status).toBe(201);
  secret = merchant.body.webhookSecret;
  for (const id of ['ria', 'sam']) {
    expect(
      (await call('POST', '/admin/influencers', { influencerId: id, handle: id, name: id })).status,
    ).toBe(201);
    const link = {
      code: `${id}-deal`,
      influencerId: id,
      merchantId: 'deals',
      targetUrl: 'https://shop.example.com/p',
    };
    expect((await call('POST', '/admin/links', link)).status).toBe(201);
  }
  await setTerms('ria', 2_000); // ria on 20 %; sam on the merchant's 10 %
});

afterAll(async () => {
  await poller?.stop();
  sqs.destroy();
});

test('each influencer earns its own rate on a shared order, and its refund keeps the terms it was credited under', async () => {
  await clickThrough('ria-deal');
  const clickId = await clickThrough('sam-deal');
  await send({
    type: 'order.created',
    orderId: 'D-1',
    occurredAt: new Date(Date.now() + 1000).toISOString(),
    currency: 'USD',
    clickId,
    lines: [{ sku: 'A', quantity: 2, unitPriceMinor: 5_000 }],
  });
  const credited = await waitFor(
    () => order('D-1'),
    (o) => o.body?.status !== 'pending',
  );
  // Linear 50/50 of 100.00: ria 20 % × 50 % = 10.00, sam 10 % × 50 % = 5.00.
  expect(credited.body.commissionMinor).toBe(1_500);
  expect(shares(credited)).toEqual({ ria: 1_000, sam: 500 });

  // New terms for ria, then half the order is refunded: the refund applies the terms of the credit.
  await setTerms('ria', 3_000);
  await send({
    type: 'order.refunded',
    orderId: 'D-1',
    occurredAt: new Date(Date.now() + 2000).toISOString(),
    lines: [{ sku: 'A', quantity: 1 }],
  });
  const refunded = await waitFor(
    () => order('D-1'),
    (o) => o.body?.commissionMinor !== 1_500,
  );
  expect(refunded.body.commissionMinor).toBe(750);
  expect(shares(refunded)).toEqual({ ria: 500, sam: 250 });

  // An order credited after the change earns the new rate (the same clicks: 50/50 again).
  await send({
    type: 'order.created',
    orderId: 'D-2',
    occurredAt: new Date(Date.now() + 3000).toISOString(),
    currency: 'USD',
    clickId,
    lines: [{ sku: 'B', quantity: 1, unitPriceMinor: 10_000 }],
  });
  const second = await waitFor(
    () => order('D-2'),
    (o) => o.body?.status !== 'pending',
  );
  // 100.00 split 50/50: ria 30 % × 50 % = 15.00, sam 10 % × 50 % = 5.00.
  expect(shares(second)).toEqual({ ria: 1_500, sam: 500 });
  expect(second.body.commissionMinor).toBe(2_000);
});
