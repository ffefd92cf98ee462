/**
 * Starting (or resuming) a payout run, shared by the monthly schedule, `POST /admin/payouts/runs`
 * and `npm run payout`. It only finds the work: every influencer ever credited (the `payees`
 * index, never a Scan) gets one job on the payout-jobs queue, and the payout worker pays each one.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../common/clients/aws';
import { checkRunPeriod, comparePeriods } from '../common/domain/payout';
import { type OrderRepo, transact } from '../common/repos/orders';
import type { PayoutRepo } from '../common/repos/payouts';

export interface RunDependencies {
  payouts: PayoutRepo;
  orders: OrderRepo;
  jobsQueueUrl: string;
  /** The clock, only for the bound on how far ahead a period may be (default: the system clock). */
  now?: () => Date;
}

export interface PayoutJob {
  period: string;
  influencerId: string;
}

export type StartResult =
  | { kind: 'complete' }
  | { kind: 'running'; queuedJobs: number }
  | { kind: 'conflict'; latestPeriod: string }
  /** CONTRACT §5: more than one month after the current UTC month; nothing was written. */
  | { kind: 'invalid_period'; latestAllowed: string };

export async function startPayoutRun(deps: RunDependencies, period: string): Promise<StartResult> {
  // Checked before anything is read or written, on a run that exists too: no start of a period
  // that far ahead may have effects, and the bound must not depend on what is stored.
  const periodCheck = checkRunPeriod(period, (deps.now?.() ?? new Date()).getTime());
  if (!periodCheck.ok) return { kind: 'invalid_period', latestAllowed: periodCheck.latestAllowed };
  let run = await deps.payouts.run(period);
  if (!run) {
    const latest = await deps.payouts.latestPeriod();
    if (latest && comparePeriods(latest, period) > 0) return { kind: 'conflict', latestPeriod: latest };
    if (!(await transact(deps.payouts.startItems(period)))) {
      // Either an overlapping start created this run, or a later period started meanwhile.
      run = await deps.payouts.run(period);
      if (!run) return { kind: 'conflict', latestPeriod: (await deps.payouts.latestPeriod()) ?? period };
    }
  }
  if (run?.status === 'complete') return { kind: 'complete' };

  // A new run, or one that did not finish (its jobs are queued again; finished ones are skipped
  // by the worker through their done markers, so nothing is paid twice).
  const influencers: string[] = [];
  for await (const influencerId of deps.orders.payees()) influencers.push(influencerId);
  await deps.payouts.setExpectedJobs(period, influencers.length);
  for (let i = 0; i < influencers.length; i += 10) {
    const batch = influencers.slice(i, i + 10);
    const out = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: deps.jobsQueueUrl,
        Entries: batch.map((influencerId, j) => ({
          Id: String(j),
          MessageBody: JSON.stringify({ period, influencerId } satisfies PayoutJob),
        })),
      }),
    );
    if (out.Failed?.length)
      throw new Error(`Could not queue ${out.Failed.length} payout jobs; run again to resume.`);
  }
  if (influencers.length === 0) await deps.payouts.completeIfDone(period);
  return { kind: 'running', queuedJobs: influencers.length };
}
