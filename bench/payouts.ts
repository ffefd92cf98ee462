/**
 * Payout runs over 10,000, 30,000 and 100,000 credits generated directly in DynamoDB Local, 100
 * credits per influencer (the shape of 1 million credits over 10,000 influencers): time, DynamoDB
 * calls per credit, and the run process's peak memory, the larger runs beside the 10,000 one (per
 * credit), so that "flat from 10,000" is visible: calls and time per credit the same at every size,
 * memory not growing with the number of credits.
 *
 * Each size gets a DynamoDB Local of its own, in memory, with tables that have no streams. With
 * streams the bench measured the emulator: DynamoDB Local looks up its stream bookkeeping in SQLite
 * on every write to a stream-enabled table (its one SQLite thread was in `getStreamDescription`,
 * reached from `insertUpdateStreamRecordIfActiveShardPresent` and the like, in 13 of 14 stack
 * samples, while generating and while paying), at a cost that grows with what was written before.
 * With streams and a fresh store per size, 30,000 credits took 4.3× the time of 10,000 (1.44× per
 * credit) and DynamoDB Local's CPU 4.1×, for the same DynamoDB calls per credit; with one store
 * for both sizes, as before, 41×. Nothing in the payout code reads a stream, and in AWS a stream
 * costs a writer nothing. `BENCH_PAYOUT_STREAMS=1` keeps the streams, to see it again.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PAYEE_SHARDS } from '../functions/common/repos/orders';
import { createTableInput, localTableNames, type TableNames } from '../lib/local/provision';
import { provisionQueues } from '../lib/local/queues';
import { sdkLocal, startLocalStores, storesEnv } from '../lib/local/stores';
import { type TableKey, type TableSpec, tables } from '../lib/wiring';
import { spawnNode } from './lib/child';
import { fixed, int, table } from './lib/format';
import { cpuMs, pidsOf } from './lib/proc';
import type { BenchModule, Row } from './lib/types';
import type { PayoutRunFigures } from './payout-run-child';

/** `BENCH_PAYOUT_SIZES=10000,30000` for a shorter run; the first size is every other's baseline. */
const SIZES = (process.env.BENCH_PAYOUT_SIZES ?? '10000,30000,100000').split(',').map(Number);
const WITH_STREAMS = process.env.BENCH_PAYOUT_STREAMS === '1';
const CREDITS_PER_INFLUENCER = 100;
const PERIOD = '2026-11';

type SizeFigures = PayoutRunFigures & { generateMs: number; dynamoCpuMs: number };

export const payoutsBench: BenchModule = {
  id: 'payouts',
  async run({ scope, log }) {
    const figures = new Map<number, SizeFigures>();
    for (const size of SIZES) figures.set(size, await measure(scope, log, size));

    const base = SIZES[0] ?? 0;
    const small = figures.get(base);
    const store = `in-memory DynamoDB Local, tables ${WITH_STREAMS ? 'with' : 'without'} streams`;
    const rows: Row[] = [];
    const problems: string[] = [];
    for (const [size, f] of figures) {
      if (f.paidItems !== size)
        problems.push(`the ${size}-credit run paid ${f.paidItems} items, not ${size}`);
      const vs = size !== base && small ? small : undefined;
      const growth = `${fixed(size / base, 0)}× the credits`;
      rows.push(
        {
          figure: `Payout run over ${int(size)} credits, ${int(size / CREDITS_PER_INFLUENCER)} influencers (s; ${store})`,
          value: fixed(f.ms / 1000, 1),
          baseline: vs ? `${fixed(vs.ms / 1000, 1)} (${int(base)})` : '—',
          ratio: vs
            ? `${fixed(f.ms / vs.ms, 2)}× for ${growth}; ${fixed(f.ms / size / (vs.ms / base), 2)}× per credit`
            : '—',
          goal: '',
        },
        {
          figure: `DynamoDB calls per credit, ${int(size)} credits`,
          value: fixed(f.calls / size, 3),
          baseline: vs ? `${fixed(vs.calls / base, 3)} (${int(base)})` : '—',
          ratio: vs ? `${fixed(f.calls / size / (vs.calls / base), 2)}× per credit` : '—',
          goal: '',
        },
        {
          figure: `Peak memory of the run process, ${int(size)} credits (MiB)`,
          value: fixed(f.maxRssKiB / 1024, 1),
          baseline: vs ? `${fixed(vs.maxRssKiB / 1024, 1)} (${int(base)})` : '—',
          ratio: vs ? `${fixed(f.maxRssKiB / vs.maxRssKiB, 2)}× for ${growth}` : '—',
          goal: '',
        },
        {
          figure: `Live heap of the run process after full collections, largest, ${int(size)} credits (MiB)`,
          value: f.maxLiveHeapKiB > 0 ? fixed(f.maxLiveHeapKiB / 1024, 1) : 'no full collection',
          baseline:
            vs && vs.maxLiveHeapKiB > 0 ? `${fixed(vs.maxLiveHeapKiB / 1024, 1)} (${int(base)})` : '—',
          ratio:
            vs && vs.maxLiveHeapKiB > 0 && f.maxLiveHeapKiB > 0
              ? `${fixed(f.maxLiveHeapKiB / vs.maxLiveHeapKiB, 2)}× for ${growth}`
              : '—',
          goal: '',
        },
      );
    }
    const operations = [
      ...new Set([...figures.values()].flatMap((f) => Object.keys({ ...f.startCalls, ...f.jobCalls }))),
    ].sort();
    const refusals = [...new Set([...figures.values()].flatMap((f) => Object.keys(f.refusals)))].sort();
    return {
      title: 'Payout runs',
      rows,
      details: [
        table(
          [
            'Credits',
            'Influencers',
            'Generated in (s)',
            'Start (s)',
            'Run (s)',
            'Run ms per credit',
            'DynamoDB calls',
            'Calls per credit',
            'Run process CPU (s)',
            'DynamoDB Local CPU (s)',
            'Peak RSS (MiB)',
            'Payouts',
          ],
          [...figures].map(([size, f]) => [
            int(size),
            int(size / CREDITS_PER_INFLUENCER),
            fixed(f.generateMs / 1000, 1),
            fixed(f.startMs / 1000, 1),
            fixed(f.ms / 1000, 1),
            fixed(f.ms / size, 2),
            int(f.calls),
            fixed(f.calls / size, 3),
            fixed(f.cpuMs / 1000, 1),
            fixed(f.dynamoCpuMs / 1000, 1),
            fixed(f.maxRssKiB / 1024, 1),
            int(f.payouts),
          ]),
        ),
        'Calls per influencer, by operation and table (start: while the start ran, workers included; jobs: after it), and refused calls:',
        table(
          ['Calls per influencer', ...SIZES.map((s) => `${int(s)} credits`)],
          [
            ...operations.map((op) => [
              op,
              ...SIZES.map((s) => {
                const f = figures.get(s);
                const per = (n = 0) => fixed(n / (s / CREDITS_PER_INFLUENCER), 2);
                return f ? `${per(f.startCalls[op])} + ${per(f.jobCalls[op])}` : '—';
              }),
            ]),
            ...refusals.map((reason) => [
              `refused: ${reason}`,
              ...SIZES.map((s) =>
                fixed((figures.get(s)?.refusals[reason] ?? 0) / (s / CREDITS_PER_INFLUENCER), 2),
              ),
            ]),
          ],
        ),
      ],
      howMeasured: `Payout runs: for each size a fresh in-memory DynamoDB Local (${WITH_STREAMS ? 'tables with their streams' : 'tables without streams: nothing here reads them, and DynamoDB Local makes each write to a stream-enabled table cost more than the last'}) and SQS emulator; influencers (minimum 0), payee markers and 100 due credits per influencer written straight into it with BatchWriteItem, then one run of the period in a child process with the real code: the start (payees index, one job per influencer on the payout-jobs queue) and two local pollers feeding the payout worker, which marks items paid in transactions of up to 90. Time is from the start to the run being complete; DynamoDB calls are every HTTP request of the run process to DynamoDB Local (SDK retries included; the bench's own wait for completion is not counted); CPU is the run process's and DynamoDB Local's over the run; peak memory is the run process's maximum resident set size, and the live heap the most heap in use read just after a full (mark-compact) collection, as Node.js reports each one: what the run keeps alive, without the garbage and collector headroom the resident set also holds.`,
      problems,
    };
  },
};

async function measure(
  scope: Parameters<BenchModule['run']>[0]['scope'],
  log: (message: string) => void,
  size: number,
): Promise<SizeFigures> {
  // A store of its own per size: no size pays for what an earlier one left in the emulator.
  const stores = await startLocalStores({});
  scope.defer(`stores ${size}`, () => stores.stop());
  const dynamo = new DynamoDBClient({ endpoint: stores.dynamoEndpoint, ...sdkLocal() });
  const sqs = new SQSClient({ endpoint: stores.sqsEndpoint, useQueueUrlAsEndpoint: false, ...sdkLocal() });
  try {
    const prefix = `bench-payouts-${size}`;
    const names = await createTables(dynamo, prefix);
    const provisioned = { tables: names, queues: await provisionQueues(sqs, prefix), missingIndexes: [] };
    const generated = Date.now();
    await generate(dynamo, names, size);
    const generateMs = Date.now() - generated;
    log(`${int(size)} credits generated in ${fixed(generateMs / 1000, 1)} s; running the payout run`);
    const port = new URL(stores.dynamoEndpoint).port;
    const [dynamoPid] = pidsOf('java', 'DynamoDBLocal.jar', `-port ${port} `);
    const dynamoCpuBefore = dynamoPid ? cpuMs(dynamoPid) : 0;
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
    ])) as PayoutRunFigures;
    await child.exited;
    const dynamoCpuMs = dynamoPid ? cpuMs(dynamoPid) - dynamoCpuBefore : Number.NaN;
    log(
      `${int(size)} credits paid in ${fixed(result.ms / 1000, 1)} s, ${fixed(result.calls / size, 3)} calls per credit`,
    );
    return { ...result, generateMs, dynamoCpuMs };
  } finally {
    dynamo.destroy();
    sqs.destroy();
    await stores.stop();
  }
}

/** The wiring's tables, with their indexes; streams only with BENCH_PAYOUT_STREAMS=1. */
async function createTables(dynamo: DynamoDBClient, prefix: string): Promise<TableNames> {
  const names = localTableNames(prefix);
  for (const [key, spec] of Object.entries(tables) as Array<[TableKey, TableSpec]>) {
    const { StreamSpecification, ...input } = createTableInput(names[key], spec);
    await dynamo.send(
      new CreateTableCommand(WITH_STREAMS && StreamSpecification ? { ...input, StreamSpecification } : input),
    );
  }
  return names;
}

/** Influencers (minimum 0), payee markers and due credits, written 25 items a call, 8 calls at a time. */
async function generate(dynamo: DynamoDBClient, tables: { config: string; orders: string }, credits: number) {
  const influencers = credits / CREDITS_PER_INFLUENCER;
  const documents = DynamoDBDocumentClient.from(dynamo);
  const requests: Array<{ table: string; item: Record<string, unknown> }> = [];
  const flush = async (force: boolean) => {
    while (requests.length >= 200 || (force && requests.length > 0)) {
      const chunk = requests.splice(0, 200);
      const batches: Array<typeof chunk> = [];
      for (let i = 0; i < chunk.length; i += 25) batches.push(chunk.slice(i, i + 25));
      await Promise.all(batches.map((batch) => writeBatch(documents, batch)));
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
  documents: DynamoDBDocumentClient,
  batch: Array<{ table: string; item: Record<string, unknown> }>,
) {
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
