/**
 * Starting (or resuming) a payout run, shared by the monthly schedule, `POST /admin/payouts/runs`
 * and `npm run payout`. It only finds the work: every influencer ever credited (the `payees`
 * index, never a Scan) gets one job on the payout-jobs queue, and the payout worker pays each one.
 */
import { comparePeriods } from '../common/domain/payout';
import { enqueuePayoutJobs } from '../common/queue/payout-jobs-queue';
import { type OrderRepo, transact } from '../common/repos/orders';
import type { PayoutRepo } from '../common/repos/payouts';

export interface RunDependencies {
  payouts: PayoutRepo;
  orders: OrderRepo;
  jobsQueueUrl: string;
}

export type StartResult =
  | { kind: 'complete' }
  | { kind: 'running'; queuedJobs: number }
  | { kind: 'conflict'; latestPeriod: string };

export async function startPayoutRun(deps: RunDependencies, period: string): Promise<StartResult> {
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
  await enqueuePayoutJobs(
    deps.jobsQueueUrl,
    influencers.map((influencerId) => ({ period, influencerId })),
  );
  if (influencers.length === 0) await deps.payouts.completeIfDone(period);
  return { kind: 'running', queuedJobs: influencers.length };
}
