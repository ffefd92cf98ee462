/**
 * Payout runs on the real stand-ins: orders credited through the webhook and the attribution worker,
 * runs fanned out over the payout-jobs queue to the payout worker, the rules of CONTRACT §8, and the
 * exactly-once guarantees (re-run, overlap, resume after a failure half way).
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { QueuePoller } from '../../lib/local/queues';
import { sdkLocal } from '../../lib/local/stores';
import { context, httpEvent } from '../support/events';
import { type HttpHandler, pollQueue, type SqsHandler, waitFor } from '../support/handlers';
import { withoutPayoutIds } from '../support/payouts';
import { useTestStores } from '../support/stores';
import { webhookEvent } from '../support/webhooks';

type Http = HttpHandler;
type Worker = SqsHandler;

let admin: Http;
let ingest: Http;
let payoutsApi: Http;
let stores: Awaited<ReturnType<typeof useTestStores>>;
let sqs: SQSClient;
const pollers: QueuePoller[] = [];
let failMarkingAfter: number | undefined;
let secret = '';

const call = async (
  handler: Http,
  method: string,
  route: string,
  body?: unknown,
  extra: Partial<Parameters<typeof httpEvent>[0]> = {},
) => {
  const res = await handler(httpEvent({ method, route, body, admin: true, ...extra }), context());
  const text = res.body ?? '';
  return {
    status: res.statusCode,
    text,
    body: res.headers?.['content-type']?.includes('json') && text ? JSON.parse(text) : undefined,
  };
};

const run = async (period: string) => {
  const res = await call(payoutsApi, 'POST', '/admin/payouts/runs', { period });
  return { ...res, body: withoutPayoutIds(res.body) };
};

let seq = 0;
async function credit(
  influencerCoupon: string,
  occurredAt: string,
  unitPriceMinor: number,
  currency = 'USD',
) {
  const orderId = `O-${++seq}`;
  const res = await ingest(
    webhookEvent('shop', secret, {
      type: 'order.created',
      orderId,
      occurredAt,
      currency,
      couponCode: influencerCoupon,
      lines: [{ sku: 'S', quantity: 1, unitPriceMinor }],
    }),
    context(),
  );
  expect(res.statusCode).toBe(202);
  return orderId;
}

const orderView = (orderId: string) =>
  call(admin, 'GET', '/admin/orders/{merchantId}/{orderId}', undefined, {
    pathParameters: { merchantId: 'shop', orderId },
  });
const creditedAll = (ids: string[]) =>
  Promise.all(
    ids.map((id) =>
      waitFor(
        () => orderView(id),
        (o) => o.status === 200 && o.body.status === 'credited',
      ),
    ),
  );

beforeAll(async () => {
  // Pages (and marking transactions) of 4 items, so runs cross several of them.
  stores = await useTestStores(
    'payouts',
    { PAYOUT_RUN_WAIT_MS: '20000', PAYOUT_PAGE_SIZE: '4' },
    { visibilityTimeoutSeconds: 1 },
  );
  sqs = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  const aws = await import('../../functions/common/clients/aws');
  let markings = 0;
  aws.dynamo().middlewareStack.add(
    (next) => async (args) => {
      const input = (
        args as { input?: { TransactItems?: Array<{ Update?: { UpdateExpression?: string } }> } }
      ).input;
      const marks = input?.TransactItems?.some((t) => t.Update?.UpdateExpression?.includes('payoutId'));
      if (marks && failMarkingAfter !== undefined) {
        markings++;
        if (markings > failMarkingAfter) {
          failMarkingAfter = undefined;
          throw new Error('Injected: the payout worker dies half way through marking');
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'failMarking' },
  );
  admin = (await import('../../functions/admin/handler')).handler as unknown as Http;
  ingest = (await import('../../functions/ingest/handler')).handler as unknown as Http;
  payoutsApi = (await import('../../functions/payouts/handler')).handler as unknown as Http;
  const attribution = (await import('../../functions/attribution/handler')).handler as unknown as Worker;
  const payoutWorker = (await import('../../functions/payout-worker/handler')).handler as unknown as Worker;
  pollers.push(
    pollQueue(sqs, stores.queues.orders, 'orders', attribution),
    pollQueue(sqs, stores.queues.payoutJobs, 'payoutJobs', payoutWorker),
  );

  const merchant = await call(admin, 'POST', '/admin/merchants', {
    merchantId: 'shop',
    name: 'Shop',
    allowedDomains: ['shop.example.com'],
    currency: 'USD',
    holdDays: 10,
    commission: { defaultBps: 1000 },
  });
  secret = merchant.body.webhookSecret;
  for (const [id, minimum] of [
    ['ana', 1000],
    ['ben', 1000],
    ['cyd', 0],
    ['dee', 500],
  ] as const) {
    const res = await call(admin, 'POST', '/admin/influencers', {
      influencerId: id,
      handle: id,
      name: id,
      payoutMinimumMinor: minimum,
      couponCodes: [id.toUpperCase()],
    });
    expect(res.status).toBe(201);
  }
});

afterAll(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
  sqs.destroy();
});

describe('a payout run', () => {
  it('pays due credits per influencer and currency, holds back recent ones, carries small totals over', async () => {
    const ids = [
      await credit('ANA', '2026-01-05T10:00:00.000Z', 6000), // 600
      await credit('ANA', '2026-01-21T23:59:59.999Z', 5000), // 500, due exactly at the cut-off (+10 days)
      await credit('ANA', '2026-01-22T00:00:00.001Z', 9000), // held: due 1 ms after the cut-off
      await credit('ANA', '2026-01-10T00:00:00.000Z', 20000, 'EUR'), // 2000 EUR
      await credit('BEN', '2026-01-03T00:00:00.000Z', 9990), // 999 < 1000: carried over
    ];
    await creditedAll(ids);
    const res = await run('2026-01');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      period: '2026-01',
      status: 'complete',
      payouts: [
        { influencerId: 'ana', currency: 'EUR', amountMinor: 2000, items: 1, status: 'payable' },
        { influencerId: 'ana', currency: 'USD', amountMinor: 1100, items: 2, status: 'payable' },
        { influencerId: 'ben', currency: 'USD', amountMinor: 999, items: 1, status: 'carried_over' },
      ],
    });
    const statuses = await Promise.all(
      ids.map(async (id) => (await orderView(id)).body.attributions[0].status),
    );
    expect(statuses).toEqual(['paid', 'paid', 'unpaid', 'paid', 'unpaid']);

    const statement = await call(
      payoutsApi,
      'GET',
      '/admin/payouts/{influencerId}/{period}/statement.csv',
      undefined,
      {
        pathParameters: { influencerId: 'ana', period: '2026-01' },
      },
    );
    expect(statement.status).toBe(200);
    expect(statement.text.trim().split('\n')).toEqual([
      'order_id,merchant_id,order_time,currency,credit_minor,adjustments_minor,fee_minor,total_minor,fee_id,memo',
      `${ids[0]},shop,2026-01-05T10:00:00.000Z,USD,600,0,0,600,,`,
      `${ids[1]},shop,2026-01-21T23:59:59.999Z,USD,500,0,0,500,,`,
      `${ids[3]},shop,2026-01-10T00:00:00.000Z,EUR,2000,0,0,2000,,`,
      'TOTAL,,,EUR,,,,2000,,',
      'TOTAL,,,USD,,,,1100,,',
    ]);
    const none = await call(
      payoutsApi,
      'GET',
      '/admin/payouts/{influencerId}/{period}/statement.csv',
      undefined,
      {
        pathParameters: { influencerId: 'ben', period: '2026-01' },
      },
    );
    expect(none.status).toBe(404);
  });

  it('returns the stored result for a period that ran, pays nothing twice, and refuses an earlier new period', async () => {
    const late = await credit('ANA', '2026-01-06T00:00:00.000Z', 30000); // arrives after the run
    await creditedAll([late]);
    const again = await run('2026-01');
    expect(again.status).toBe(200);
    expect(
      again.body.payouts.find(
        (p: { currency: string; influencerId: string }) => p.influencerId === 'ana' && p.currency === 'USD',
      ).amountMinor,
    ).toBe(1100);
    expect((await orderView(late)).body.attributions[0].status).toBe('unpaid');

    const read = await call(payoutsApi, 'GET', '/admin/payouts', undefined, {
      query: 'period=2026-01',
      headers: {},
    });
    expect(read.status).toBe(200);

    const earlier = await run('2025-12');
    expect(earlier.status).toBe(409);
    expect(earlier.body.error.code).toBe('period_before_latest_run');
  });

  it('pays in the next period what became due, nets a clawback of a paid credit, and carries a negative total', async () => {
    // ana's paid January credit of 600 is refunded in full on Feb 3: a clawback of -600 dated Feb 3.
    const paid = 'O-1';
    await ingest(
      webhookEvent('shop', secret, {
        type: 'order.cancelled',
        orderId: paid,
        occurredAt: '2026-02-03T00:00:00.000Z',
      }),
      context(),
    );
    await waitFor(
      () => orderView(paid),
      (o) => o.body.adjustments?.length === 1,
    );
    const res = await run('2026-02');
    const ana = res.body.payouts.filter((p: { influencerId: string }) => p.influencerId === 'ana');
    // Due now: the held 900, the late 3000, the clawback -600 → 3300 over 3 items.
    expect(ana).toEqual([
      { influencerId: 'ana', currency: 'USD', amountMinor: 3300, items: 3, status: 'payable' },
    ]);
    // ben: the same 999 again, still under his minimum.
    expect(res.body.payouts.find((p: { influencerId: string }) => p.influencerId === 'ben')).toMatchObject({
      amountMinor: 999,
      status: 'carried_over',
    });

    const order = await orderView(paid);
    expect(order.body.adjustments).toEqual([
      { influencerId: 'ana', amountMinor: -600, occurredAt: '2026-02-03T00:00:00.000Z', status: 'paid' },
    ]);

    const statement = await call(
      payoutsApi,
      'GET',
      '/admin/payouts/{influencerId}/{period}/statement.csv',
      undefined,
      {
        pathParameters: { influencerId: 'ana', period: '2026-02' },
      },
    );
    expect(statement.text).toContain(`${paid},shop,2026-01-05T10:00:00.000Z,USD,0,-600,0,-600,,`);
  });

  it('pays once when two runs of a period overlap', async () => {
    const ids = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) => credit('DEE', `2026-02-1${n}T00:00:00.000Z`, 1000 * n)),
    );
    await creditedAll(ids);
    const [a, b] = await Promise.all([run('2026-03'), run('2026-03')]);
    expect(a.body).toEqual(b.body);
    const dee = a.body.payouts.find((p: { influencerId: string }) => p.influencerId === 'dee');
    expect(dee).toEqual({
      influencerId: 'dee',
      currency: 'USD',
      amountMinor: 2100,
      items: 6,
      status: 'payable',
    });
    const statuses = await Promise.all(
      ids.map(async (id) => (await orderView(id)).body.attributions[0].status),
    );
    expect(statuses.every((s) => s === 'paid')).toBe(true);
  });

  it('resumes a run that failed half way without paying twice or skipping anything', async () => {
    const ids = [];
    for (let n = 0; n < 12; n++)
      ids.push(await credit('CYD', `2026-03-0${(n % 9) + 1}T00:00:00.000Z`, 100 + n));
    await creditedAll(ids);
    // 12 items are due; the worker marks 4 per transaction and dies after the first transaction.
    failMarkingAfter = 1;
    const res = await run('2026-04');
    const cy = res.body.payouts.find((p: { influencerId: string }) => p.influencerId === 'cyd');
    const expected = ids.reduce((sum, _, n) => sum + Math.floor((100 + n) / 10 + 0.5), 0);
    expect(failMarkingAfter).toBeUndefined();
    expect(cy).toEqual({
      influencerId: 'cyd',
      currency: 'USD',
      amountMinor: expected,
      items: 12,
      status: 'payable',
    });
    const statuses = await Promise.all(
      ids.map(async (id) => (await orderView(id)).body.attributions[0].status),
    );
    expect(statuses.every((s) => s === 'paid')).toBe(true);
  });

  it('starts the previous month from the schedule, from its scheduled time and not the clock', async () => {
    const schedule = (await import('../../functions/payout-schedule/handler')).handler as unknown as (
      e: { schedule: string; scheduledTime: string },
      c: ReturnType<typeof context>,
    ) => Promise<{ period: string; kind: string }>;
    const out = await schedule(
      { schedule: 'monthlyPayouts', scheduledTime: '2026-06-01T03:00:00Z' },
      context(),
    );
    expect(out.period).toBe('2026-05');
    const read = await waitFor(
      () => call(payoutsApi, 'GET', '/admin/payouts', undefined, { query: 'period=2026-05' }),
      (r) => r.body?.status === 'complete',
    );
    expect(read.body).toMatchObject({ period: '2026-05', status: 'complete' });
  });

  it('refuses a period more than one month ahead with a 400 at `period`, and writes nothing', async () => {
    // The test stores run on the real clock; the bound follows it.
    const now = new Date();
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    const afterNext = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1));
    const month = (d: Date) => d.toISOString().slice(0, 7);
    const unpaid = await credit('ANA', '2026-05-20T00:00:00.000Z', 12340);
    await creditedAll([unpaid]);
    for (const period of ['2062-11', '9999-12', month(afterNext)]) {
      const res = await run(period);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'invalid_body',
        issues: [{ path: 'period', message: expect.stringContaining(month(next)) }],
      });
      const read = await call(payoutsApi, 'GET', '/admin/payouts', undefined, { query: `period=${period}` });
      expect(read.status).toBe(404);
    }
    // Nothing was paid, and a real period is not blocked by the refused ones.
    expect((await orderView(unpaid)).body.attributions[0].status).toBe('unpaid');
    const real = await run('2026-06');
    expect(real.status).toBe(200);
    expect((await orderView(unpaid)).body.attributions[0].status).toBe('paid');
  });

  it('fails the scheduled invocation (so it retries, then alarms) when the run is refused', async () => {
    const schedule = (await import('../../functions/payout-schedule/handler')).handler as unknown as (
      e: { schedule: string; scheduledTime: string },
      c: ReturnType<typeof context>,
    ) => Promise<unknown>;
    // 2026-06 has run: the schedule's 2025-11 never ran and is before it.
    await expect(
      schedule({ schedule: 'monthlyPayouts', scheduledTime: '2025-12-01T03:00:00Z' }, context()),
    ).rejects.toThrow(/2025-11 was refused: a later period \(2026-06\)/);
    // Scheduled far beyond the clock.
    await expect(
      schedule({ schedule: 'monthlyPayouts', scheduledTime: '2999-03-01T03:00:00Z' }, context()),
    ).rejects.toThrow(/2999-02 was refused/);
  });

  it('refuses a malformed period', async () => {
    for (const period of ['2026-13', '2026-1', 'last month']) {
      const res = await run(period);
      expect(res.status).toBe(400);
    }
  });
});
