/**
 * Flat fees (CONTRACT §10) on DynamoDB Local and the SQS emulator: written with an enrollment's
 * terms, paid through the payout runs (the payout-jobs queue and the payout worker) by the first run
 * whose cut-off is after their due time, shown on statements, refused as `fee_paid` once paid and
 * changed, cancelled with their enrollment, and counted in the merchant report (through the orders
 * table's stream and the aggregator) as flat fees, spend and return on spend.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { QueuePoller } from '../../lib/local/queues';
import { sdkLocal } from '../../lib/local/stores';
import { localCheckpointStore, type StreamPoller, startStreamPoller } from '../../lib/local/streams';
import { type StreamSpec, streams } from '../../lib/wiring';
import { context, httpEvent } from '../support/events';
import { type HttpHandler, pollQueue, type SqsHandler, waitFor } from '../support/handlers';
import { withoutPayoutIds } from '../support/payouts';
import { useTestStores } from '../support/stores';
import { webhookEvent } from '../support/webhooks';

type StreamWorker = (e: DynamoDBStreamEvent, c: ReturnType<typeof context>) => Promise<DynamoDBBatchResponse>;

let stores: Awaited<ReturnType<typeof useTestStores>>;
let admin: HttpHandler;
let ingest: HttpHandler;
let payoutsApi: HttpHandler;
let reports: HttpHandler;
let sqs: SQSClient;
let dynamo: typeof import('../../functions/common/clients/aws').dynamo;
const pollers: QueuePoller[] = [];
let streamPollers: StreamPoller[] = [];
let checkpoints: Awaited<ReturnType<typeof localCheckpointStore>>;
const failedBatches: unknown[] = [];
let secret = '';
/** Runs once, just before the next transaction that writes an enrollment's terms. */
let beforeTermsWrite: (() => Promise<void>) | undefined;
/** Runs once, just before the next transaction that marks payout items paid. */
let beforeMarking: (() => Promise<void>) | undefined;
/** Counter items returned to Query calls on the counters table. */
let counterItemsRead = 0;

async function call(handler: HttpHandler, input: Parameters<typeof httpEvent>[0]) {
  const res = await handler(httpEvent({ admin: true, ...input }), context());
  const text = res.body ?? '';
  return {
    status: res.statusCode,
    text,
    body: (res.headers?.['content-type'] ?? '').includes('json') && text ? JSON.parse(text) : undefined,
  };
}

const ENROLLMENT = '/admin/merchants/{merchantId}/influencers/{influencerId}';
const putTerms = (merchantId: string, influencerId: string, terms: unknown) =>
  call(admin, {
    method: 'PUT',
    route: ENROLLMENT,
    pathParameters: { merchantId, influencerId },
    body: { terms },
  });
const endEnrollment = (merchantId: string, influencerId: string) =>
  call(admin, { method: 'DELETE', route: ENROLLMENT, pathParameters: { merchantId, influencerId } });

const run = async (period: string) => {
  const res = await call(payoutsApi, { method: 'POST', route: '/admin/payouts/runs', body: { period } });
  return { ...res, body: withoutPayoutIds(res.body) };
};
const payoutsOf = (
  result: { body: { payouts: Array<{ influencerId: string; amountMinor: number }> } },
  influencerId: string,
) => result.body.payouts.filter((p) => p.influencerId === influencerId);
const statement = (influencerId: string, period: string) =>
  call(payoutsApi, {
    method: 'GET',
    route: '/admin/payouts/{influencerId}/{period}/statement.csv',
    pathParameters: { influencerId, period },
  });
const merchantReport = (merchantId: string, query: string) =>
  call(reports, {
    method: 'GET',
    route: '/admin/reports/merchants/{merchantId}',
    path: `/admin/reports/merchants/${merchantId}`,
    pathParameters: { merchantId },
    query,
  });

/** Every item of a table, for "nothing was written". */
async function everything(table: string) {
  const out = await dynamo().send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  return (out.Items ?? []).sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}

async function feeItems(merchantId: string, influencerId: string) {
  const items = await everything(stores.tables.orders);
  return items.filter((item) => item.pk === `FEE#${merchantId}#${influencerId}`);
}

async function createInfluencer(
  influencerId: string,
  payoutMinimumMinor: number,
  couponCodes: string[] = [],
) {
  const res = await call(admin, {
    method: 'POST',
    route: '/admin/influencers',
    body: { influencerId, handle: influencerId, name: influencerId, payoutMinimumMinor, couponCodes },
  });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  stores = await useTestStores('fees', { PAYOUT_RUN_WAIT_MS: '20000' }, { visibilityTimeoutSeconds: 1 });
  sqs = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  dynamo = (await import('../../functions/common/clients/aws')).dynamo;
  dynamo().middlewareStack.add(
    (next) => async (args) => {
      const input = (args as { input?: { TransactItems?: Array<Record<string, { TableName?: string }>> } })
        .input;
      const onConfig = input?.TransactItems?.some((t) =>
        Object.values(t).some((op) => op?.TableName === stores.tables.config),
      );
      const inject = beforeTermsWrite;
      if (onConfig && inject) {
        beforeTermsWrite = undefined;
        await inject();
      }
      const marks = input?.TransactItems?.some((t) =>
        String((t.Update as { UpdateExpression?: string } | undefined)?.UpdateExpression).includes(
          'payoutId',
        ),
      );
      const mark = beforeMarking;
      if (marks && mark) {
        beforeMarking = undefined;
        await mark();
      }
      const result = await next(args);
      const query = args.input as { TableName?: string };
      if (query.TableName === stores.tables.counters) {
        counterItemsRead += (result.output as { Count?: number }).Count ?? 0;
      }
      return result;
    },
    { step: 'initialize', name: 'injections' },
  );
  const { logger } = await import('../../functions/common/logger');
  logger.setLogLevel('ERROR');
  admin = (await import('../../functions/admin/handler')).handler as unknown as HttpHandler;
  ingest = (await import('../../functions/ingest/handler')).handler as unknown as HttpHandler;
  payoutsApi = (await import('../../functions/payouts/handler')).handler as unknown as HttpHandler;
  reports = (await import('../../functions/reports/handler')).handler as unknown as HttpHandler;
  const attribution = (await import('../../functions/attribution/handler')).handler as unknown as SqsHandler;
  const payoutWorker = (await import('../../functions/payout-worker/handler'))
    .handler as unknown as SqsHandler;
  const aggregator = (await import('../../functions/aggregator/handler')).handler as unknown as StreamWorker;
  pollers.push(
    pollQueue(sqs, stores.queues.orders, 'orders', attribution),
    pollQueue(sqs, stores.queues.payoutJobs, 'payoutJobs', payoutWorker),
  );
  checkpoints = await localCheckpointStore(stores.dynamoEndpoint, `${stores.prefix}-stream-checkpoints`);
  // The report counters' streams only: the events consumer's are not under test here.
  streamPollers = (Object.entries(streams) as Array<[string, StreamSpec]>)
    .filter(([, spec]) => spec.consumer === 'aggregator')
    .map(([, spec]) =>
      startStreamPoller({
        endpoint: stores.dynamoEndpoint,
        tableName: stores.tables[spec.table],
        spec,
        handler: async () => aggregator,
        checkpoints,
        onError: (err) => console.error('stream poller', err),
        onFailedBatch: (batch) => failedBatches.push(batch),
      }),
    );

  for (const merchantId of ['fshop', 'fonly']) {
    const merchant = await call(admin, {
      method: 'POST',
      route: '/admin/merchants',
      body: {
        merchantId,
        name: merchantId,
        allowedDomains: ['shop.example.com'],
        currency: merchantId === 'fshop' ? 'USD' : 'EUR',
        holdDays: 0,
        commission: { defaultBps: 1000 },
      },
    });
    expect(merchant.status).toBe(201);
    if (merchantId === 'fshop') secret = merchant.body.webhookSecret;
  }
  await createInfluencer('fay', 1000, ['FAY']);
  await createInfluencer('gus', 1000);
  await createInfluencer('hal', 0);
});

afterAll(async () => {
  await Promise.all(streamPollers.map((p) => p.stop()));
  await Promise.all(pollers.map((p) => p.stop()));
  checkpoints.close();
  sqs.destroy();
});

afterEach(() => {
  expect(failedBatches).toEqual([]);
});

const kickoff = { feeId: 'kickoff', amountMinor: 5000, dueAt: '2026-08-01T00:00:00.000Z', memo: 'Kick-off' };
const second = {
  feeId: 'second',
  amountMinor: 2500,
  dueAt: '2026-08-20T09:30:00.000Z',
  memo: 'Post, "reel"',
};
const later = { feeId: 'later', amountMinor: 4000, dueAt: '2026-09-10T00:00:00.000Z' };

describe('flat fees through payouts', () => {
  it('are paid by the first run whose cut-off is strictly after their due time, and shown on its statement', async () => {
    const put = await putTerms('fshop', 'fay', { flatFees: [kickoff, second, later] });
    expect(put.status).toBe(200);
    expect(put.body.terms.flatFees).toEqual([kickoff, second, later]);

    // July's cut-off is the kick-off's due time exactly: not after it, so not yet.
    const july = await run('2026-07');
    expect(july.status).toBe(200);
    expect(payoutsOf(july, 'fay')).toEqual([]);

    const august = await run('2026-08');
    expect(payoutsOf(august, 'fay')).toEqual([
      { influencerId: 'fay', currency: 'USD', amountMinor: 7500, items: 2, status: 'payable' },
    ]);
    const csv = await statement('fay', '2026-08');
    expect(csv.status).toBe(200);
    expect(csv.text.trim().split('\n')).toEqual([
      'order_id,merchant_id,order_time,currency,credit_minor,adjustments_minor,fee_minor,total_minor,fee_id,memo',
      ',fshop,2026-08-01T00:00:00.000Z,USD,0,0,5000,5000,kickoff,Kick-off',
      ',fshop,2026-08-20T09:30:00.000Z,USD,0,0,2500,2500,second,"Post, ""reel"""',
      'TOTAL,,,USD,,,,7500,,',
    ]);
    const fees = await feeItems('fshop', 'fay');
    expect(fees.map((f) => [f.feeId, f.status])).toEqual([
      ['kickoff', 'paid'],
      ['later', 'unpaid'],
      ['second', 'paid'],
    ]);
  });

  it('refuses to change or drop a paid fee with 409 fee_paid, writing nothing', async () => {
    const before = {
      orders: await everything(stores.tables.orders),
      config: await everything(stores.tables.config),
    };
    for (const fees of [
      [{ ...kickoff, amountMinor: 4999 }, second, later],
      [{ ...kickoff, dueAt: '2026-08-02T00:00:00.000Z' }, second, later],
      [{ ...kickoff, memo: 'Other' }, second, { ...later, amountMinor: 1 }],
      [second, later],
      [],
    ]) {
      const res = await putTerms('fshop', 'fay', { flatFees: fees });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('fee_paid');
      expect(res.body.error.message).toContain('kickoff');
    }
    expect(await everything(stores.tables.orders)).toEqual(before.orders);
    expect(await everything(stores.tables.config)).toEqual(before.config);

    // Paid fees kept as they are (another spelling of the same time included): the unpaid one changes.
    const ok = await putTerms('fshop', 'fay', {
      flatFees: [{ ...kickoff, dueAt: '2026-08-01T00:00:00Z' }, second, { ...later, amountMinor: 4500 }],
    });
    expect(ok.status).toBe(200);
    const fees = await feeItems('fshop', 'fay');
    expect(fees.find((f) => f.feeId === 'later')).toMatchObject({ amountMinor: 4500, status: 'unpaid' });
  });

  it('pays a fee once when two runs of its period overlap', async () => {
    expect((await putTerms('fshop', 'gus', { flatFees: [{ ...later, amountMinor: 3000 }] })).status).toBe(
      200,
    );
    const [a, b] = await Promise.all([run('2026-09'), run('2026-09')]);
    expect(a.body).toEqual(b.body);
    expect(payoutsOf(a, 'gus')).toEqual([
      { influencerId: 'gus', currency: 'USD', amountMinor: 3000, items: 1, status: 'payable' },
    ]);
    expect(payoutsOf(a, 'fay')).toEqual([
      { influencerId: 'fay', currency: 'USD', amountMinor: 4500, items: 1, status: 'payable' },
    ]);
    const again = await run('2026-09');
    expect(again.body).toEqual(a.body);
    expect((await feeItems('fshop', 'gus')).map((f) => [f.status, f.payoutId])).toEqual([
      ['paid', expect.any(String)],
    ]);
  });

  it('ending an enrollment cancels its unpaid fees and keeps the paid ones; a new enrollment starts afresh', async () => {
    const gusFees = [
      { ...later, amountMinor: 3000 },
      { feeId: 'october', amountMinor: 800, dueAt: '2026-10-05T00:00:00.000Z' },
    ];
    expect((await putTerms('fshop', 'gus', { flatFees: gusFees })).status).toBe(200);
    expect((await endEnrollment('fshop', 'gus')).status).toBe(204);
    expect(
      (
        await call(admin, {
          method: 'GET',
          route: ENROLLMENT,
          pathParameters: { merchantId: 'fshop', influencerId: 'gus' },
        })
      ).status,
    ).toBe(404);
    expect((await feeItems('fshop', 'gus')).map((f) => [f.feeId, f.status, 'unpaidFor' in f])).toEqual([
      ['later', 'paid', false],
      ['october', 'cancelled', false],
    ]);
    const october = await run('2026-10');
    expect(payoutsOf(october, 'gus')).toEqual([]);

    // The paid fee of the ended enrollment is history: a new list need not name it.
    const again = await putTerms('fshop', 'gus', {
      flatFees: [{ feeId: 'october', amountMinor: 900, dueAt: '2026-10-06T00:00:00.000Z' }],
    });
    expect(again.status).toBe(200);
    expect((await feeItems('fshop', 'gus')).map((f) => [f.feeId, f.status, f.amountMinor])).toEqual([
      ['later', 'paid', 3000],
      ['october', 'unpaid', 900],
    ]);
    expect(
      (await putTerms('fshop', 'gus', { flatFees: [{ ...later, amountMinor: 1 }] })).body.error.code,
    ).toBe('fee_paid');
  });

  it('a run that pays a fee between the read and the write makes the change decide again', async () => {
    await createInfluencer('ivy', 0);
    const fee = { feeId: 'x', amountMinor: 1000, dueAt: '2026-05-01T00:00:00.000Z' };
    expect((await putTerms('fshop', 'ivy', { flatFees: [fee] })).status).toBe(200);
    let paid = 0;
    const payMeanwhile = async () => {
      paid++;
      // What a payout run's marking does to the item.
      await dynamo().send(
        new UpdateCommand({
          TableName: stores.tables.orders,
          Key: { pk: 'FEE#fshop#ivy', sk: 'FEE#x' },
          UpdateExpression: 'SET #s = :paid, payoutId = :p REMOVE unpaidFor',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':paid': 'paid', ':p': 'a-payout' },
        }),
      );
    };
    beforeTermsWrite = payMeanwhile;
    const changed = await putTerms('fshop', 'ivy', { flatFees: [{ ...fee, amountMinor: 2000 }] });
    expect(paid).toBe(1);
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe('fee_paid');
    expect(await feeItems('fshop', 'ivy')).toEqual([
      expect.objectContaining({ feeId: 'x', amountMinor: 1000, status: 'paid', payoutId: 'a-payout' }),
    ]);
    const enrollment = await call(admin, {
      method: 'GET',
      route: ENROLLMENT,
      pathParameters: { merchantId: 'fshop', influencerId: 'ivy' },
    });
    expect(enrollment.body.terms.flatFees).toEqual([fee]);
  });

  it('an enrollment ended while a run pays its fee keeps the paid fee', async () => {
    const fee = { feeId: 'y', amountMinor: 1000, dueAt: '2026-05-01T00:00:00.000Z' };
    await createInfluencer('jon', 0);
    expect((await putTerms('fshop', 'jon', { flatFees: [fee] })).status).toBe(200);
    beforeTermsWrite = async () => {
      await dynamo().send(
        new UpdateCommand({
          TableName: stores.tables.orders,
          Key: { pk: 'FEE#fshop#jon', sk: 'FEE#y' },
          UpdateExpression: 'SET #s = :paid, payoutId = :p REMOVE unpaidFor',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':paid': 'paid', ':p': 'a-payout' },
        }),
      );
    };
    expect((await endEnrollment('fshop', 'jon')).status).toBe(204);
    expect(beforeTermsWrite).toBeUndefined();
    expect((await feeItems('fshop', 'jon')).map((f) => f.status)).toEqual(['paid']);
  });

  it('a fee whose due time moves past the cut-off while a run marks it is left to its new period', async () => {
    await createInfluencer('kim', 0);
    const fee = { feeId: 'z', amountMinor: 1200, dueAt: '2026-11-10T00:00:00.000Z' };
    expect((await putTerms('fshop', 'kim', { flatFees: [fee] })).status).toBe(200);
    beforeMarking = async () => {
      // What a PUT moving the fee into December writes to the item.
      await dynamo().send(
        new UpdateCommand({
          TableName: stores.tables.orders,
          Key: { pk: 'FEE#fshop#kim', sk: 'FEE#z' },
          UpdateExpression: 'SET dueAt = :d, eligibleAt = :d',
          ExpressionAttributeValues: { ':d': '2026-12-10T00:00:00.000Z' },
        }),
      );
    };
    const november = await run('2026-11');
    expect(november.status).toBe(200);
    expect(beforeMarking).toBeUndefined();
    expect(await feeItems('fshop', 'kim')).toEqual([
      expect.objectContaining({ status: 'unpaid', unpaidFor: 'kim', eligibleAt: '2026-12-10T00:00:00.000Z' }),
    ]);
    expect(payoutsOf(november, 'kim').map((p) => p.amountMinor)).toEqual([0]);
  });

  it('takes at most 49 fees, so that replacing them all is one transaction', async () => {
    const fees = Array.from({ length: 50 }, (_, i) => ({ ...later, feeId: `f${i}` }));
    const res = await putTerms('fshop', 'kim', { flatFees: fees });
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['terms.flatFees']);
  });

  it("count toward the influencer's payout minimum like any other item: carried over alone, paid once the total reaches it", async () => {
    await createInfluencer('lia', 1000);
    const december = { feeId: 'dec', amountMinor: 600, dueAt: '2026-12-05T00:00:00.000Z' };
    const january = { feeId: 'jan', amountMinor: 600, dueAt: '2027-01-05T00:00:00.000Z' };
    expect((await putTerms('fshop', 'lia', { flatFees: [december, january] })).status).toBe(200);
    expect(payoutsOf(await run('2026-12'), 'lia')).toEqual([
      { influencerId: 'lia', currency: 'USD', amountMinor: 600, items: 1, status: 'carried_over' },
    ]);
    expect(payoutsOf(await run('2027-01'), 'lia')).toEqual([
      { influencerId: 'lia', currency: 'USD', amountMinor: 1200, items: 2, status: 'payable' },
    ]);
  });

  it('an unknown merchant or influencer is 404 and writes no fee', async () => {
    const before = await everything(stores.tables.orders);
    expect((await putTerms('nobody', 'fay', { flatFees: [kickoff] })).status).toBe(404);
    expect((await putTerms('fshop', 'nobody', { flatFees: [kickoff] })).status).toBe(404);
    expect((await endEnrollment('fshop', 'nobody')).status).toBe(404);
    expect(await everything(stores.tables.orders)).toEqual(before);
  });
});

describe('flat fees in the merchant report', () => {
  const figures = (report: { body: { currencies: unknown[]; byInfluencer: unknown[] } }) => report.body;

  it('counts fees by due day into flat fees, spend and return on spend, per currency and influencer', async () => {
    // An order credited to fay by her coupon, and fees for hal only.
    const res = await ingest(
      webhookEvent('fshop', secret, {
        type: 'order.created',
        orderId: 'FO-1',
        occurredAt: '2026-06-10T12:00:00.000Z',
        currency: 'USD',
        couponCode: 'FAY',
        lines: [{ sku: 'S', quantity: 1, unitPriceMinor: 100_000 }],
      }),
      context(),
    );
    expect(res.statusCode).toBe(202);
    expect(
      (
        await putTerms('fshop', 'hal', {
          flatFees: [{ feeId: 'june', amountMinor: 1_000, dueAt: '2026-06-12T00:00:00.000Z' }],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await putTerms('fonly', 'hal', {
          flatFees: [{ feeId: 'june', amountMinor: 700, dueAt: '2026-06-30T23:59:59.999Z' }],
        })
      ).status,
    ).toBe(200);

    const june = 'from=2026-06-01&to=2026-06-30';
    const report = await waitFor(
      () => merchantReport('fshop', june),
      (r) => r.body?.byInfluencer?.length === 2 && r.body.currencies[0]?.commissionMinor === 10_000,
    );
    expect(figures(report).currencies).toEqual([
      {
        currency: 'USD',
        orders: 1,
        revenueMinor: 100_000,
        commissionMinor: 10_000,
        flatFeesMinor: 1_000,
        spendMinor: 11_000,
        returnOnSpendBps: 90_909, // ⌊100 000 × 10 000 / 11 000⌋
        returnOnSpend: '9.09',
        conversionRateBps: 0,
        epcMinor: 0,
      },
    ]);
    expect(
      figures(report).byInfluencer.map((row) => {
        const { influencerId, currencies } = row as { influencerId: string; currencies: unknown[] };
        return [influencerId, currencies];
      }),
    ).toEqual([
      [
        'fay',
        [
          expect.objectContaining({
            revenueMinor: 100_000,
            flatFeesMinor: 0,
            spendMinor: 10_000,
            returnOnSpendBps: 100_000,
          }),
        ],
      ],
      [
        'hal',
        [
          expect.objectContaining({
            orders: 0,
            revenueMinor: 0,
            flatFeesMinor: 1_000,
            spendMinor: 1_000,
            returnOnSpendBps: 0,
          }),
        ],
      ],
    ]);

    // A merchant with fees and no orders still has its currency row.
    const only = await waitFor(
      () => merchantReport('fonly', june),
      (r) => r.body?.currencies?.length === 1,
    );
    expect(only.body.currencies).toEqual([
      expect.objectContaining({
        currency: 'EUR',
        orders: 0,
        flatFeesMinor: 700,
        spendMinor: 700,
        returnOnSpendBps: 0,
      }),
    ]);
    const csv = await merchantReport('fonly', `${june}&format=csv`);
    const lines = csv.text.split('\r\n');
    expect(lines[0]).toBe(
      'from,to,merchantId,influencerId,clicks,botClicks,currency,orders,revenueMinor,commissionMinor,conversionRateBps,epcMinor,flatFeesMinor,spendMinor,returnOnSpendBps,returnOnSpend',
    );
    expect(lines[1]).toBe('2026-06-01,2026-06-30,fonly,,0,0,EUR,0,0,0,0,0,700,700,0,0.00');
    expect(lines[2]).toBe('2026-06-01,2026-06-30,fonly,hal,0,0,EUR,0,0,0,0,0,700,700,0,0.00');
  });

  it('a moved fee moves its counts, and a cancelled one leaves them', async () => {
    const june = 'from=2026-06-01&to=2026-06-30';
    expect(
      (
        await putTerms('fonly', 'hal', {
          flatFees: [{ feeId: 'june', amountMinor: 700, dueAt: '2026-07-01T00:00:00.000Z' }],
        })
      ).status,
    ).toBe(200);
    const moved = await waitFor(
      () => merchantReport('fonly', june),
      (r) => r.body?.currencies?.[0]?.flatFeesMinor === 0,
    );
    expect(moved.body.currencies).toEqual([
      expect.objectContaining({
        flatFeesMinor: 0,
        spendMinor: 0,
        returnOnSpendBps: null,
        returnOnSpend: null,
      }),
    ]);
    const july = await waitFor(
      () => merchantReport('fonly', 'from=2026-07-01&to=2026-07-31'),
      (r) => r.body?.currencies?.[0]?.flatFeesMinor === 700,
    );
    expect(july.body.currencies[0].flatFeesMinor).toBe(700);

    expect((await endEnrollment('fonly', 'hal')).status).toBe(204);
    const cancelled = await waitFor(
      () => merchantReport('fonly', 'from=2026-07-01&to=2026-07-31'),
      (r) => r.body?.currencies?.[0]?.flatFeesMinor === 0,
    );
    expect(cancelled.body.currencies[0]).toMatchObject({ flatFeesMinor: 0, returnOnSpendBps: null });
  });

  it('reads no more counter items however many fees there are', async () => {
    const may = 'from=2026-05-01&to=2026-05-31';
    const fees = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        feeId: `may-${i}`,
        amountMinor: 100,
        dueAt: '2026-05-15T10:00:00.000Z',
      }));
    expect((await putTerms('fonly', 'fay', { flatFees: fees(1) })).status).toBe(200);
    await waitFor(
      () => merchantReport('fonly', may),
      (r) => r.body?.currencies?.[0]?.flatFeesMinor === 100,
    );
    counterItemsRead = 0;
    await merchantReport('fonly', may);
    const withOne = counterItemsRead;
    expect((await putTerms('fonly', 'fay', { flatFees: fees(49) })).status).toBe(200);
    await waitFor(
      () => merchantReport('fonly', may),
      (r) => r.body?.currencies?.[0]?.flatFeesMinor === 4_900,
    );
    counterItemsRead = 0;
    await merchantReport('fonly', may);
    expect(counterItemsRead).toBe(withOne);
    expect(withOne).toBe(2); // the merchant's day and its day for the influencer
  });
});
