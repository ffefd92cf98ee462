/**
 * What a payout run costs in DynamoDB, counted (not timed): the same run over 4 and over 12
 * influencers of 30 credits each must cost the same per influencer and per credit, so no part of a
 * run re-reads a set that grows with the run (all payouts of the run per job, every payee per page,
 * a Scan), and refused writes stay at the one expected per job (the run's completion check).
 * The cost is the DynamoDB calls and the items they read or write, on the SDK client every handler
 * uses, while a start records and queues the run and while its jobs are worked off the real queue.
 */
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { provisionLocal, sdkLocal } from '../../lib/local/stores';
import { useTestStores } from '../support/stores';

const CREDITS_PER_INFLUENCER = 30;
/** Index pages of 10: each influencer's credits take several pages, as large ones do. */
const PAGE_SIZE = 10;

interface Cost {
  calls: number;
  itemsRead: number;
  itemsWritten: number;
  byOperation: Record<string, number>;
  refusals: Record<string, number>;
}
const emptyCost = (): Cost => ({ calls: 0, itemsRead: 0, itemsWritten: 0, byOperation: {}, refusals: {} });
let cost = emptyCost();

let stores: Awaited<ReturnType<typeof useTestStores>>;
let sqs: SQSClient;

beforeAll(async () => {
  stores = await useTestStores('payout-cost');
  sqs = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  const { dynamo } = await import('../../functions/common/clients/aws');
  // Each attempt (inside the SDK's retries) is a call; what it read or wrote is in its answer.
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      cost.calls++;
      cost.byOperation[operation] = (cost.byOperation[operation] ?? 0) + 1;
      const input = args.input as { TransactItems?: unknown[] };
      if (operation === 'TransactWriteItems') cost.itemsWritten += input.TransactItems?.length ?? 0;
      if (operation === 'UpdateItem' || operation === 'PutItem') cost.itemsWritten++;
      try {
        const result = await next(args);
        const output = result.output as {
          ScannedCount?: number;
          Item?: unknown;
          Responses?: Record<string, unknown[]>;
        };
        if (operation === 'Query' || operation === 'Scan') cost.itemsRead += output.ScannedCount ?? 0;
        if (operation === 'GetItem' && output.Item) cost.itemsRead++;
        if (operation === 'BatchGetItem')
          for (const items of Object.values(output.Responses ?? {})) cost.itemsRead += items.length;
        return result;
      } catch (err) {
        const error = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
        const codes = (error.CancellationReasons ?? []).map((r) => r.Code).filter((c) => c && c !== 'None');
        const reason = codes.length ? [...new Set(codes)].join(', ') : String(error.name);
        cost.refusals[reason] = (cost.refusals[reason] ?? 0) + 1;
        throw err;
      }
    },
    { step: 'deserialize', name: 'countPayoutRunCost', priority: 'high' },
  );
});

afterAll(() => sqs.destroy());

/** Tables of their own with `influencers` influencers, each a payee with due credits. */
async function seededRun(name: string, influencers: number) {
  const provisioned = await provisionLocal(stores, `${stores.prefix}-${name}`);
  const { orderRepo, transact } = await import('../../functions/common/repos/orders');
  const { influencerRepo } = await import('../../functions/common/repos/influencers');
  const { payoutRepo } = await import('../../functions/common/repos/payouts');
  const orders = orderRepo(provisioned.tables.orders);
  const influencerStore = influencerRepo(provisioned.tables.config);
  for (let i = 0; i < influencers; i++) {
    const influencerId = `inf-${i}`;
    await influencerStore.create({
      influencerId,
      handle: influencerId,
      name: influencerId,
      payoutMinimumMinor: 0,
      couponCodes: [],
      createdAt: '2026-10-01T00:00:00.000Z',
    });
    await orders.markPayee(influencerId);
    const credits = Array.from({ length: CREDITS_PER_INFLUENCER }, (_, c) =>
      orders.creditPut({
        merchantId: 'shop',
        orderId: `o-${i}-${c}`,
        influencerId,
        currency: 'USD',
        amountMinor: 100 + c,
        weightBps: 10_000,
        method: 'last_click',
        clickIds: [],
        occurredAt: '2026-10-02T00:00:00.000Z',
        eligibleAt: '2026-11-01T00:00:00.000Z',
        status: 'unpaid',
        version: 1,
      }),
    );
    expect(await transact(credits)).toBe(true);
  }
  return {
    queueUrl: provisioned.queues.payoutJobs.url,
    run: {
      payouts: payoutRepo(provisioned.tables.payouts),
      orders,
      jobsQueueUrl: provisioned.queues.payoutJobs.url,
    },
    influencers: influencerStore,
  };
}

/** Starts the run, then works its queue off as the payout worker does; the cost of each part. */
async function measuredRun(name: string, influencers: number) {
  const { run, influencers: influencerStore, queueUrl } = await seededRun(name, influencers);
  const { startPayoutRun, advancePayoutRun } = await import('../../functions/payouts/start-run');
  const { payInfluencer } = await import('../../functions/payout-worker/pay-influencer');
  const { payoutJobsMessageSchema } = await import('../../functions/common/schemas/messages');
  const period = '2026-11';

  cost = emptyCost();
  expect((await startPayoutRun(run, period)).kind).toBe('running');
  const start = cost;

  cost = emptyCost();
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!out.Messages?.length) break;
    for (const received of out.Messages) {
      const message = payoutJobsMessageSchema.parse(JSON.parse(received.Body ?? ''));
      if ('continueRun' in message) await advancePayoutRun(run, message.period);
      else
        await payInfluencer(
          { ...run, influencers: influencerStore, pageSize: PAGE_SIZE },
          message.period,
          message.influencerId,
        );
    }
  }
  const jobs = cost;
  cost = emptyCost();

  const stored = await run.payouts.run(period);
  const payouts = await run.payouts.payouts(period);
  return { stored, payouts, start, jobs };
}

test('a payout run costs the same per influencer and per credit at 4 and at 12 influencers', async () => {
  const small = await measuredRun('small', 4);
  const large = await measuredRun('large', 12);

  for (const [runOf, influencers] of [
    [small, 4],
    [large, 12],
  ] as const) {
    expect(runOf.stored?.status).toBe('complete');
    expect(runOf.payouts).toHaveLength(influencers);
    expect(runOf.payouts.reduce((sum, p) => sum + p.items, 0)).toBe(influencers * CREDITS_PER_INFLUENCER);
    // Never a Scan, in any part of a run.
    expect(runOf.start.byOperation.Scan ?? 0).toBe(0);
    expect(runOf.jobs.byOperation.Scan ?? 0).toBe(0);
    // The only refusal is the run's completion check of each job but the last (and of the start).
    expect(Object.keys({ ...runOf.start.refusals, ...runOf.jobs.refusals })).toEqual([
      'ConditionalCheckFailedException',
    ]);
    expect(runOf.jobs.refusals.ConditionalCheckFailedException).toBeLessThanOrEqual(influencers);
  }

  // The jobs: the same calls per influencer, whatever the number of influencers.
  expect(large.jobs.byOperation).toEqual(
    Object.fromEntries(Object.entries(small.jobs.byOperation).map(([op, n]) => [op, n * 3])),
  );
  // Each credit is read three times (summed, then marked a page at a time and confirmed first) and
  // written once, with its payout's progress once per page; the rest is a few items per influencer.
  const perCredit = (n: number, influencers: number) => n / (influencers * CREDITS_PER_INFLUENCER);
  expect(perCredit(large.jobs.itemsRead, 12)).toBeCloseTo(perCredit(small.jobs.itemsRead, 4), 5);
  expect(perCredit(large.jobs.itemsWritten, 12)).toBeCloseTo(perCredit(small.jobs.itemsWritten, 4), 5);
  const perInfluencer = 8;
  expect(large.jobs.itemsRead).toBeLessThanOrEqual(12 * (3 * CREDITS_PER_INFLUENCER + perInfluencer));
  expect(large.jobs.itemsWritten).toBeLessThanOrEqual(
    12 * (CREDITS_PER_INFLUENCER + CREDITS_PER_INFLUENCER / PAGE_SIZE + perInfluencer),
  );

  // The start: its calls follow the pages of the payees index (16 shards), not the payees; it
  // reads each payee and job marker a bounded number of times.
  expect(large.start.calls).toBe(small.start.calls);
  expect(large.start.itemsRead - small.start.itemsRead).toBeLessThanOrEqual((12 - 4) * 3);
});
