/**
 * Child process of the payout bench: runs one payout run with the real code (start, fan-out over the
 * payout-jobs queue, the payout worker through the local poller) against stores prepared by the
 * parent, counts its DynamoDB calls, and reports its time and the process's peak memory over IPC.
 * A process of its own, so that its peak memory is the run's and not the data generator's.
 *
 * Calls are counted on the wire (every HTTP request to DynamoDB Local, SDK retries included), by
 * operation and by phase (the start, then the jobs), and refused writes by their reason
 * (ConditionalCheckFailed, TransactionConflict, ...): a cost that grows with the data, or a storm of
 * conflicts between concurrent jobs, shows in these counts whatever the machine's speed. The bench's
 * own wait for the run to complete reads the run with a client of its own, not counted.
 */
import '../lib/local/esm-only-packages';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { startQueuePoller } from '../lib/local/queues';
import { sdkLocal } from '../lib/local/stores';
import { queues } from '../lib/wiring';
import { countDynamoCalls, diff } from './lib/dynamo-counter';

/** What the child reports to the parent (bench/payouts.ts). */
export interface PayoutRunFigures {
  ms: number;
  /** Time of `startPayoutRun` alone: recording the payee set and queueing the jobs. */
  startMs: number;
  calls: number;
  /** Calls by `Operation table-key` during the start and during the jobs. */
  startCalls: Record<string, number>;
  jobCalls: Record<string, number>;
  /** Refused or failed calls by error (transactions by their cancellation reasons). */
  refusals: Record<string, number>;
  /** CPU time of this process (the run's code) over the run. */
  cpuMs: number;
  maxRssKiB: number;
  /**
   * The most heap in use seen just after a full (mark-compact) collection: what the run keeps alive,
   * without the garbage and the collector's headroom that the resident set also holds. 0 when no
   * full collection ran.
   */
  maxLiveHeapKiB: number;
  payouts: number;
  paidItems: number;
}

/** Heap in use after each full collection, the largest seen (read as the collection is reported). */
function watchLiveHeap(): { maxKiB: () => number } {
  let max = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (
        ((entry as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind ===
        constants.NODE_PERFORMANCE_GC_MAJOR
      ) {
        max = Math.max(max, process.memoryUsage().heapUsed);
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return { maxKiB: () => Math.round(max / 1024) };
}

async function main() {
  const liveHeap = watchLiveHeap();
  const period = process.env.BENCH_PERIOD ?? '2026-11';
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB ?? '';
  const aws = await import('../functions/common/clients/aws');
  const refusals: Record<string, number> = {};
  // Per attempt (inside the SDK's retries): each refused attempt costs a round trip too.
  aws.dynamo().middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        const error = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
        const reasons = (error.CancellationReasons ?? [])
          .map((r) => r.Code)
          .filter((code) => code && code !== 'None');
        const key = reasons.length
          ? `${error.name}: ${[...new Set(reasons)].join(', ')}`
          : String(error.name);
        refusals[key] = (refusals[key] ?? 0) + 1;
        throw err;
      }
    },
    { step: 'deserialize', name: 'countRefusals', priority: 'high' },
  );
  const counter = countDynamoCalls(endpoint);
  const { payoutRunDependencies } = await import('../functions/payouts/dependencies');
  const { startPayoutRun } = await import('../functions/payouts/start-run');
  const worker = (await import('../functions/payout-worker/handler')).handler as unknown as (
    e: SQSEvent,
    c: Context,
  ) => Promise<SQSBatchResponse>;
  const deps = payoutRunDependencies();
  const sqs = new SQSClient({
    endpoint: process.env.AWS_ENDPOINT_URL_SQS,
    useQueueUrlAsEndpoint: false,
    ...sdkLocal(),
  });
  const queueUrl = process.env.PAYOUT_JOBS_QUEUE_URL ?? '';
  const failures: unknown[] = [];
  // Two pollers: Lambda would run many workers at once; two keep both cores busy here.
  const pollers = [1, 2].map(() =>
    startQueuePoller({
      client: sqs,
      queue: { url: queueUrl, arn: 'arn:aws:sqs:local:000000000000:payout-jobs', deadLetterUrl: '' },
      spec: queues.payoutJobs,
      handler: async () => worker as never,
      onError: (err) => failures.push(err),
    }),
  );
  // Not counted: the calls the counter sees are the run's own.
  const watcher = new DynamoDBClient({ endpoint: endpoint.replace('127.0.0.1', 'localhost'), ...sdkLocal() });
  const runKey = { pk: { S: `RUN#${period}` }, sk: { S: 'RUN' } };
  const complete = async () => {
    const out = await watcher.send(
      new GetItemCommand({
        TableName: process.env.PAYOUTS_TABLE_NAME,
        Key: runKey,
        ConsistentRead: true,
        ProjectionExpression: '#s',
        ExpressionAttributeNames: { '#s': 'status' },
      }),
    );
    return out.Item?.status?.S === 'complete';
  };

  const cpuBefore = process.cpuUsage();
  const started = Date.now();
  await startPayoutRun(deps, period);
  const startMs = Date.now() - started;
  const afterStart = counter.snapshot();
  while (!(await complete())) await new Promise((r) => setTimeout(r, 200));
  const ms = Date.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const afterRun = counter.snapshot();
  counter.stop();
  await Promise.all(pollers.map((p) => p.stop()));
  const payouts = await deps.payouts.payouts(period);
  sqs.destroy();
  watcher.destroy();
  const paidItems = payouts.reduce((sum, p) => sum + (p.status === 'payable' ? p.items : 0), 0);
  const byTableKey = (counts: Map<string, number>) => {
    const out: Record<string, number> = {};
    for (const [key, n] of counts) {
      // `GetItem bench-payouts-10000-orders` → `GetItem orders`: the same rows at every size.
      const [operation, table = '-'] = key.split(' ');
      const short = `${operation} ${table.replace(/^bench-payouts-\d+-/, '')}`;
      out[short] = (out[short] ?? 0) + n;
    }
    return out;
  };
  const startCalls = byTableKey(afterStart);
  const jobCalls = byTableKey(diff(afterStart, afterRun));
  const figures: PayoutRunFigures = {
    ms,
    startMs,
    calls: [...afterRun.values()].reduce((a, b) => a + b, 0),
    startCalls,
    jobCalls,
    refusals: { ...refusals, ...(failures.length ? { 'failed batches': failures.length } : {}) },
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssKiB: process.resourceUsage().maxRSS,
    maxLiveHeapKiB: liveHeap.maxKiB(),
    payouts: payouts.length,
    paidItems,
  };
  process.send?.(figures);
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
