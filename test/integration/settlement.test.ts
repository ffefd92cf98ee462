/**
 * Settling payouts (CONTRACT §12) on the real stand-ins: orders credited through the webhook and
 * the attribution worker, a real payout run over the payout-jobs queue, then settlements through
 * the payouts function: recorded once, the same again unchanged, another reference or a carried-over
 * payout refused, bad input refused writing nothing, and two concurrent settlements with different
 * references giving one 200 and one 409. The settlement shows in the run, to the influencer's key
 * and on its portal.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { QueuePoller } from '../../lib/local/queues';
import { sdkLocal } from '../../lib/local/stores';
import { BROWSER_UA, context, httpEvent } from '../support/events';
import { type HttpHandler, pollQueue, type SqsHandler, waitFor } from '../support/handlers';
import { useTestStores } from '../support/stores';
import { webhookEvent } from '../support/webhooks';

const PERIOD = '2026-10';

let admin: HttpHandler;
let ingest: HttpHandler;
let payoutsApi: HttpHandler;
let self: HttpHandler;
let portal: HttpHandler;
let stores: Awaited<ReturnType<typeof useTestStores>>;
let sqs: SQSClient;
let dynamo: typeof import('../../functions/common/clients/aws').dynamo;
const pollers: QueuePoller[] = [];
let secret = '';
let anaKey = '';
/** Runs once, before the next settlement UpdateItem is sent (the test's hook into a race). */
let beforeSettlementWrite: (() => Promise<void>) | undefined;

async function call(handler: HttpHandler, input: Parameters<typeof httpEvent>[0]) {
  const res = await handler(httpEvent({ admin: true, ...input }), context());
  const text = res.body ?? '';
  return {
    status: res.statusCode,
    text,
    body: res.headers?.['content-type']?.includes('json') && text ? JSON.parse(text) : undefined,
  };
}

const settle = (payoutId: string, body: unknown) =>
  call(payoutsApi, {
    method: 'POST',
    route: '/admin/payouts/{payoutId}/settlement',
    path: `/admin/payouts/${encodeURIComponent(payoutId)}/settlement`,
    pathParameters: { payoutId },
    body,
  });

const runView = async () =>
  (await call(payoutsApi, { method: 'GET', route: '/admin/payouts', query: `period=${PERIOD}` })).body as {
    payouts: Array<Record<string, unknown> & { payoutId: string; influencerId: string; currency: string }>;
  };

const idOf = async (influencerId: string, currency = 'USD') => {
  const payout = (await runView()).payouts.find(
    (p) => p.influencerId === influencerId && p.currency === currency,
  );
  if (!payout) throw new Error(`no payout of ${influencerId} in ${currency}`);
  return payout.payoutId;
};

/** Every item of the payouts table: what a refused request must leave exactly as it was. */
async function payoutsTable() {
  const out = await dynamo().send(
    new ScanCommand({ TableName: stores.tables.payouts, ConsistentRead: true }),
  );
  return (out.Items ?? []).sort((a, b) => `${a.pk}${a.sk}`.localeCompare(`${b.pk}${b.sk}`));
}

let seq = 0;
async function credit(coupon: string, unitPriceMinor: number, currency = 'USD') {
  const orderId = `S-${++seq}`;
  const res = await ingest(
    webhookEvent('shop', secret, {
      type: 'order.created',
      orderId,
      occurredAt: '2026-10-05T10:00:00.000Z',
      currency,
      couponCode: coupon,
      lines: [{ sku: 'S', quantity: 1, unitPriceMinor }],
    }),
    context(),
  );
  expect(res.statusCode).toBe(202);
  return orderId;
}

beforeAll(async () => {
  stores = await useTestStores('settle', {}, { visibilityTimeoutSeconds: 1 });
  sqs = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  const aws = await import('../../functions/common/clients/aws');
  dynamo = aws.dynamo;
  aws.dynamo().middlewareStack.add(
    (next) => async (args) => {
      const input = (args as { input?: { UpdateExpression?: string } }).input;
      const hook = beforeSettlementWrite;
      if (hook && input?.UpdateExpression?.includes('settlement')) {
        beforeSettlementWrite = undefined;
        await hook();
      }
      return next(args);
    },
    { step: 'initialize', name: 'beforeSettlementWrite' },
  );
  admin = (await import('../../functions/admin/handler')).handler as unknown as HttpHandler;
  ingest = (await import('../../functions/ingest/handler')).handler as unknown as HttpHandler;
  payoutsApi = (await import('../../functions/payouts/handler')).handler as unknown as HttpHandler;
  self = (await import('../../functions/self-service/handler')).handler as unknown as HttpHandler;
  portal = (await import('../../functions/portal/handler')).handler as unknown as HttpHandler;
  const attribution = (await import('../../functions/attribution/handler')).handler as unknown as SqsHandler;
  const payoutWorker = (await import('../../functions/payout-worker/handler'))
    .handler as unknown as SqsHandler;
  pollers.push(
    pollQueue(sqs, stores.queues.orders, 'orders', attribution),
    pollQueue(sqs, stores.queues.payoutJobs, 'payoutJobs', payoutWorker),
  );

  const merchant = await call(admin, {
    method: 'POST',
    route: '/admin/merchants',
    body: {
      merchantId: 'shop',
      name: 'Shop',
      allowedDomains: ['shop.example.com'],
      currency: 'USD',
      holdDays: 10,
      commission: { defaultBps: 1000 },
    },
  });
  secret = merchant.body.webhookSecret;
  for (const id of ['ana', 'ben', 'cyd', 'dee', 'eve']) {
    const made = await call(admin, {
      method: 'POST',
      route: '/admin/influencers',
      body: {
        influencerId: id,
        handle: id,
        name: id,
        payoutMinimumMinor: 1000,
        couponCodes: [id.toUpperCase()],
      },
    });
    expect(made.status).toBe(201);
  }
  const key = await call(admin, {
    method: 'POST',
    route: '/admin/influencers/{influencerId}/api-keys',
    pathParameters: { influencerId: 'ana' },
    body: { name: 'settlement test' },
  });
  anaKey = key.body.apiKey;

  const orders = [
    await credit('ANA', 20000), // 2000 USD
    await credit('ANA', 15000, 'EUR'), // 1500 EUR
    await credit('BEN', 5000), // 500 < 1000: carried over
    await credit('CYD', 30000),
    await credit('DEE', 40000),
    await credit('EVE', 50000),
  ];
  for (const orderId of orders) {
    const credited = await waitFor(
      () =>
        call(admin, {
          method: 'GET',
          route: '/admin/orders/{merchantId}/{orderId}',
          pathParameters: { merchantId: 'shop', orderId },
        }),
      (o) => o.body?.status === 'credited',
    );
    expect(credited.body.status).toBe('credited');
  }
  const run = await call(payoutsApi, {
    method: 'POST',
    route: '/admin/payouts/runs',
    body: { period: PERIOD },
  });
  expect(run.status).toBe(200);
  expect(run.body.payouts.map((p: { status: string }) => p.status)).toEqual([
    'payable',
    'payable',
    'carried_over',
    'payable',
    'payable',
    'payable',
  ]);
});

afterAll(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
  sqs.destroy();
});

describe('settling a payout', () => {
  it('records the reference and time on the payout, and the same again answers it unchanged', async () => {
    const payoutId = await idOf('ana');
    const before = Date.now();
    const first = await settle(payoutId, { reference: '  WIRE-0001  ' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      period: PERIOD,
      payoutId,
      influencerId: 'ana',
      currency: 'USD',
      amountMinor: 2000,
      items: 1,
      status: 'payable',
      settlement: { reference: 'WIRE-0001', settledAt: expect.any(String) },
    });
    const settledAt = Date.parse(first.body.settlement.settledAt);
    expect(settledAt).toBeGreaterThanOrEqual(before);
    expect(settledAt).toBeLessThanOrEqual(Date.now());

    const stored = await payoutsTable();
    const again = await settle(payoutId, {
      reference: 'WIRE-0001',
      settledAt: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await payoutsTable()).toEqual(stored);

    // The run shows it too; the other currency's payout is not settled.
    const view = await runView();
    expect(view.payouts.find((p) => p.payoutId === payoutId)?.settlement).toEqual(first.body.settlement);
    expect(view.payouts.find((p) => p.influencerId === 'ana' && p.currency === 'EUR')).not.toHaveProperty(
      'settlement',
    );
  });

  it('keeps a given settledAt, made canonical', async () => {
    const payoutId = await idOf('ana', 'EUR');
    const at = new Date(Date.now() + 60_000); // a clock a minute fast is within the allowance
    const res = await settle(payoutId, {
      reference: 'SEPA 42',
      settledAt: at.toISOString().replace('.000Z', 'Z'),
    });
    expect(res.status).toBe(200);
    expect(res.body.settlement).toEqual({ reference: 'SEPA 42', settledAt: at.toISOString() });
  });

  it('refuses another reference (409 already_settled), writing nothing', async () => {
    const payoutId = await idOf('ana');
    const stored = await payoutsTable();
    const res = await settle(payoutId, { reference: 'WIRE-0002' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('already_settled');
    expect(await payoutsTable()).toEqual(stored);
  });

  it('refuses a carried-over payout (409 not_payable), writing nothing', async () => {
    const payoutId = await idOf('ben');
    const stored = await payoutsTable();
    const res = await settle(payoutId, { reference: 'WIRE-0003' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('not_payable');
    expect(await payoutsTable()).toEqual(stored);
  });

  test.each([
    ['an unknown payout', `${PERIOD}#nobody#USD`],
    ['an unknown currency', `${PERIOD}#ana#GBP`],
    ['a period that never ran', '2026-09#ana#USD'],
    ['a malformed id', 'not-a-payout-id'],
    ['an id of a bad influencer id', `${PERIOD}#a b#USD`],
  ])('answers 404 for %s, writing nothing', async (_, payoutId) => {
    const stored = await payoutsTable();
    const res = await settle(payoutId, { reference: 'WIRE-0004' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect(await payoutsTable()).toEqual(stored);
  });

  test.each([
    ['no reference', {}],
    ['an empty reference', { reference: '   ' }],
    ['a reference of 201 characters', { reference: 'x'.repeat(201) }],
    ['a line break', { reference: 'WIRE\n1' }],
    ['a settledAt that is not an instant', { reference: 'WIRE-5', settledAt: 'yesterday' }],
    ['a settledAt with an offset', { reference: 'WIRE-5', settledAt: '2026-12-01T10:00:00+01:00' }],
    [
      'a settledAt an hour ahead',
      { reference: 'WIRE-5', settledAt: new Date(Date.now() + 3_600_000).toISOString() },
    ],
    [
      'a settledAt before the payout was made',
      { reference: 'WIRE-5', settledAt: '2026-10-20T00:00:00.000Z' },
    ],
    ['an unknown field', { reference: 'WIRE-5', note: 'x' }],
  ])('refuses %s (400), writing nothing', async (_, body) => {
    const payoutId = await idOf('eve');
    const stored = await payoutsTable();
    const res = await settle(payoutId, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_body');
    expect(await payoutsTable()).toEqual(stored);
  });

  it('settles once when two settlements with different references run at the same time', async () => {
    const payoutId = await idOf('cyd');
    const answers = await Promise.all([
      settle(payoutId, { reference: 'RACE-A' }),
      settle(payoutId, { reference: 'RACE-B' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.status === 200)?.body.settlement.reference;
    expect((await runView()).payouts.find((p) => p.payoutId === payoutId)?.settlement).toEqual(
      expect.objectContaining({ reference: winner }),
    );
  });

  it('decides on what is stored when another settlement lands between its read and its write', async () => {
    const payoutId = await idOf('dee');
    // B settles after A has read the payout (unsettled) and before A's conditional write.
    let rival: Awaited<ReturnType<typeof settle>> | undefined;
    beforeSettlementWrite = async () => {
      rival = await settle(payoutId, { reference: 'RACE-B' });
    };
    const late = await settle(payoutId, { reference: 'RACE-A' });
    expect(rival?.status).toBe(200);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('already_settled');

    // The same reference losing that race is answered unchanged, with the winner's settledAt.
    const payoutOfEve = await idOf('eve');
    let first: Awaited<ReturnType<typeof settle>> | undefined;
    beforeSettlementWrite = async () => {
      first = await settle(payoutOfEve, { reference: 'SAME', settledAt: new Date().toISOString() });
    };
    const retry = await settle(payoutOfEve, { reference: 'SAME' });
    expect(first?.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first?.body);
  });
});

describe('a settled payout', () => {
  it('shows its settlement to the influencer, in GET /v1/me/payouts', async () => {
    const usd = await settle(await idOf('ana'), { reference: 'WIRE-0001' });
    const eur = await settle(await idOf('ana', 'EUR'), { reference: 'SEPA 42' });
    const myPayouts = async () => {
      const res = await call(self, {
        method: 'GET',
        route: '/v1/me/payouts',
        admin: false,
        headers: { authorization: `Bearer ${anaKey}` },
      });
      expect(res.status).toBe(200);
      return res.body.items as Array<Record<string, unknown>>;
    };
    // The influencer's payouts index is eventually consistent: read until both settlements show.
    const items = await waitFor(myPayouts, (list) => list.length === 2 && list.every((p) => p.settlement));
    expect(items).toEqual(expect.arrayContaining([usd.body, eur.body]));
    expect(items).toHaveLength(2);
  });

  it('shows on the portal: "Paid on <date> · ref <reference>"', async () => {
    const link = await call(admin, {
      method: 'POST',
      route: '/admin/influencers/{influencerId}/login-links',
      pathParameters: { influencerId: 'ana' },
    });
    const token = String(link.body.url).split('/').pop() ?? '';
    const opened = await portal(
      httpEvent({
        method: 'GET',
        route: '/portal/login/{token}',
        path: `/portal/login/${token}`,
        pathParameters: { token },
        headers: { 'user-agent': BROWSER_UA },
      }),
      context('portal'),
    );
    expect(opened.statusCode).toBe(303);
    const cookie = (opened.cookies?.[0] ?? '').split(';')[0] ?? '';
    const usd = (await settle(await idOf('ana'), { reference: 'WIRE-0001' })).body.settlement;
    const page = await waitFor(
      async () =>
        (
          await portal(
            httpEvent({
              method: 'GET',
              route: '/portal',
              cookies: [cookie],
              headers: { 'user-agent': BROWSER_UA },
            }),
            context('portal'),
          )
        ).body ?? '',
      (html) => html.includes('ref SEPA 42'),
    );
    expect(page).toContain(`USD: Paid on ${usd.settledAt.slice(0, 10)} · ref WIRE-0001`);
    expect(page).toMatch(/EUR: Paid on \d{4}-\d{2}-\d{2} · ref SEPA 42/);
  });
});
