/**
 * Payout runs over two sizes of credits (10,000 and 30,000 by default) generated directly in
 * DynamoDB Local, 100 credits per influencer (the shape of 1 million credits over 10,000
 * influencers): time, DynamoDB calls per credit, and the run process's peak memory. The ratio between the sizes shows how the cost grows: calls and time
 * linearly, memory not with the number of credits.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PAYEE_SHARDS } from '../functions/common/repos/orders';
import { provisionLocal, sdkLocal, startLocalStores, storesEnv } from '../lib/local/stores';
import { spawnNode } from './lib/child';
import { fixed, int, table } from './lib/format';
import type { BenchModule, Row } from './lib/types';

/**
 * `BENCH_PAYOUT_SIZES=10000,100000` for the larger run. Not the default: DynamoDB Local's in-memory
 * engine slows down superlinearly with table size (generating 100,000 credits alone took 345 s on
 * this 2-core machine, against 5 s for 10,000, and the run did not end within 9 minutes), which
 * measures the emulator rather than the payout code.
 */
const SIZES = (process.env.BENCH_PAYOUT_SIZES ?? '10000,30000').split(',').map(Number);
const CREDITS_PER_INFLUENCER = 100;
const PERIOD = '2026-11';

interface RunFigures {
  ms: number;
  calls: number;
  maxRssKiB: number;
  payouts: number;
  paidItems: number;
}

export const payoutsBench: BenchModule = {
  id: 'payouts',
  async run({ scope, log }) {
    const stores = await startLocalStores({});
    scope.defer('stores', () => stores.stop());
    const dynamo = new DynamoDBClient({ endpoint: stores.dynamoEndpoint, ...sdkLocal() });
    scope.defer('dynamo client', async () => dynamo.destroy());

    const figures = new Map<number, RunFigures & { generateMs: number }>();
    for (const size of SIZES) {
      const provisioned = await provisionLocal(stores, `bench-payouts-${size}`);
      const generated = Date.now();
      await generate(dynamo, provisioned.tables, size);
      const generateMs = Date.now() - generated;
      log(`${int(size)} credits generated in ${fixed(generateMs / 1000, 1)} s; running the payout run`);
      const child = spawnNode(scope, `payout-run-${size}`, ['bench/payout-run-child.ts'], {
        ipc: true,
        env: {
          ...process.env,
          ...storesEnv(stores, provisioned),
          CREDITLINK_STAGE: 'local',
          ADMIN_TOKEN: 'bench',
          MASTER_KEY: 'bench-master-key',
          STATEMENTS_DIR: '/tmp/creditlink-bench-statements',
          POWERTOOLS_LOG_LEVEL: 'ERROR',
          BENCH_PERIOD: PERIOD,
        },
      });
      const result = (await Promise.race([
        child.firstMessage,
        child.exited.then((code) => {
          throw new Error(`payout run child exited (${code}): ${child.output()}`);
        }),
      ])) as RunFigures;
      await child.exited;
      figures.set(size, { ...result, generateMs });
      log(`${int(size)} credits paid in ${fixed(result.ms / 1000, 1)} s`);
    }

    const small = figures.get(SIZES[0] ?? 0);
    const large = figures.get(SIZES[1] ?? 0);
    const growth = `${fixed((SIZES[1] ?? 0) / (SIZES[0] ?? 1), 0)}×`;
    const rows: Row[] = [];
    const problems: string[] = [];
    for (const [size, f] of figures) {
      if (f.paidItems !== size)
        problems.push(`the ${size}-credit run paid ${f.paidItems} items, not ${size}`);
      const base = size === SIZES[1] && small ? small : undefined;
      rows.push(
        {
          figure: `Payout run over ${int(size)} credits, ${int(size / CREDITS_PER_INFLUENCER)} influencers (s)`,
          value: fixed(f.ms / 1000, 1),
          baseline: base ? `${fixed(base.ms / 1000, 1)} (${int(SIZES[0] ?? 0)})` : '—',
          ratio: base ? `${fixed(f.ms / base.ms, 2)}× for ${growth} the credits` : '—',
          goal: '',
        },
        {
          figure: `DynamoDB calls per credit, ${int(size)} credits`,
          value: fixed(f.calls / size, 3),
          baseline: base ? fixed(base.calls / (SIZES[0] ?? 1), 3) : '—',
          ratio: base ? `${fixed(f.calls / size / (base.calls / (SIZES[0] ?? 1)), 2)}×` : '—',
          goal: '',
        },
        {
          figure: `Peak memory of the run process, ${int(size)} credits (MiB)`,
          value: fixed(f.maxRssKiB / 1024, 1),
          baseline: base ? fixed(base.maxRssKiB / 1024, 1) : '—',
          ratio: base ? `${fixed(f.maxRssKiB / base.maxRssKiB, 2)}× for ${growth} the credits` : '—',
          goal: '',
        },
      );
    }
    return {
      title: 'Payout runs',
      rows,
      details: [
        table(
          [
            'Credits',
            'Influencers',
            'Generated in (s)',
            'Run (s)',
            'DynamoDB calls',
            'Calls per credit',
            'Peak RSS (MiB)',
            'Payouts',
          ],
          [...figures].map(([size, f]) => [
            int(size),
            int(size / CREDITS_PER_INFLUENCER),
            fixed(f.generateMs / 1000, 1),
            fixed(f.ms / 1000, 1),
            int(f.calls),
            fixed(f.calls / size, 3),
            fixed(f.maxRssKiB / 1024, 1),
            int(f.payouts),
          ]),
        ),
        large && small
          ? `Growth from ${int(SIZES[0] ?? 0)} to ${int(SIZES[1] ?? 0)} credits: time ×${fixed(large.ms / small.ms, 2)}, calls ×${fixed(large.calls / small.calls, 2)}, peak memory ×${fixed(large.maxRssKiB / small.maxRssKiB, 2)}.`
          : '',
      ],
      howMeasured:
        "Payout runs: credits (10 per influencer, all due, minimum 0) written straight into a fresh in-memory DynamoDB Local with BatchWriteItem, then one run of the period in a child process with the real code: the start (payees index, one job per influencer on the payout-jobs queue of the SQS emulator) and two local pollers feeding the payout worker, which marks items paid in transactions of up to 90. Time is from the start to the run being complete; DynamoDB calls are counted on the SDK client of the run process; peak memory is that process's maximum resident set size.",
      problems,
    };
  },
};

/** Influencers (minimum 0), payee markers and due credits, written 25 items a call, 8 calls at a time. */
async function generate(dynamo: DynamoDBClient, tables: { config: string; orders: string }, credits: number) {
  const influencers = credits / CREDITS_PER_INFLUENCER;
  const requests: Array<{ table: string; item: Record<string, unknown> }> = [];
  const flush = async (force: boolean) => {
    while (requests.length >= 200 || (force && requests.length > 0)) {
      const chunk = requests.splice(0, 200);
      const batches: Array<typeof chunk> = [];
      for (let i = 0; i < chunk.length; i += 25) batches.push(chunk.slice(i, i + 25));
      await Promise.all(batches.map((batch) => writeBatch(dynamo, batch)));
    }
  };
  for (let i = 0; i < influencers; i++) {
    const influencerId = `inf-${String(i).padStart(6, '0')}`;
    requests.push({
      table: tables.config,
      item: {
        pk: `INFLUENCER#${influencerId}`,
        sk: 'INFLUENCER',
        itemType: 'influencer',
        influencerId,
        handle: influencerId,
        name: influencerId,
        payoutMinimumMinor: 0,
        couponCodes: [],
        createdAt: '2026-10-01T00:00:00.000Z',
      },
    });
    requests.push({
      table: tables.orders,
      item: {
        pk: `PAYEE#${influencerId}`,
        sk: 'PAYEE',
        itemType: 'payee',
        influencerId,
        payeeShard: `PAYEES#${i % PAYEE_SHARDS}`,
      },
    });
    for (let c = 0; c < CREDITS_PER_INFLUENCER; c++) {
      const orderId = `o-${i}-${c}`;
      requests.push({
        table: tables.orders,
        item: {
          pk: `ORDER#bench#${orderId}`,
          sk: `CREDIT#${influencerId}`,
          itemType: 'credit',
          merchantId: 'bench',
          orderId,
          influencerId,
          currency: 'USD',
          amountMinor: 100 + (c % 10),
          weightBps: 10_000,
          method: 'last_click',
          clickIds: [],
          occurredAt: '2026-10-02T00:00:00.000Z',
          eligibleAt: '2026-11-01T00:00:00.000Z',
          status: 'unpaid',
          unpaidFor: influencerId,
          version: 1,
        },
      });
    }
    await flush(false);
  }
  await flush(true);
}

type PutRequests = Record<string, Array<{ PutRequest: { Item: Record<string, unknown> } }>>;

async function writeBatch(
  dynamo: DynamoDBClient,
  batch: Array<{ table: string; item: Record<string, unknown> }>,
) {
  const documents = DynamoDBDocumentClient.from(dynamo);
  let pending: PutRequests = {};
  for (const { table: name, item } of batch) {
    pending[name] ??= [];
    pending[name].push({ PutRequest: { Item: item } });
  }
  while (Object.keys(pending).length > 0) {
    const out = await documents.send(new BatchWriteCommand({ RequestItems: pending }));
    pending = (out.UnprocessedItems ?? {}) as PutRequests;
  }
}
