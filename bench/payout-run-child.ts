/**
 * Child process of the payout bench: runs one payout run with the real code (start, fan-out over the
 * payout-jobs queue, the payout worker through the local poller) against stores prepared by the
 * parent, counts its DynamoDB calls, and reports its time and the process's peak memory over IPC.
 * A process of its own, so that its peak memory is the run's and not the data generator's.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { startQueuePoller } from '../lib/local/queues';
import { sdkLocal } from '../lib/local/stores';
import { queues } from '../lib/wiring';

async function main() {
  const period = process.env.BENCH_PERIOD ?? '2026-11';
  const aws = await import('../functions/common/clients/aws');
  let calls = 0;
  aws.dynamo().middlewareStack.add(
    (next) => async (args) => {
      calls++;
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
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
  // Two pollers: Lambda would run many workers at once; two keep both cores busy here.
  const pollers = [1, 2].map(() =>
    startQueuePoller({
      client: sqs,
      queue: { url: queueUrl, arn: 'arn:aws:sqs:local:000000000000:payout-jobs', deadLetterUrl: '' },
      spec: queues.payoutJobs,
      handler: async () => worker as never,
    }),
  );
  const started = Date.now();
  await startPayoutRun(deps, period);
  for (;;) {
    const run = await deps.payouts.run(period);
    if (run?.status === 'complete') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const ms = Date.now() - started;
  const payouts = await deps.payouts.payouts(period);
  await Promise.all(pollers.map((p) => p.stop()));
  sqs.destroy();
  const paidItems = payouts.reduce((sum, p) => sum + (p.status === 'payable' ? p.items : 0), 0);
  process.send?.({
    ms,
    calls,
    maxRssKiB: process.resourceUsage().maxRSS,
    payouts: payouts.length,
    paidItems,
  });
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
