/**
 * Starting (or resuming) a payout run, shared by the monthly schedule, `POST /admin/payouts/runs`
 * and `npm run payout`. It only finds the work: every influencer ever credited (the `payees`
 * index, never a Scan) gets one job on the payout-jobs queue, and the payout worker pays each one.
 *
 * A run's payee set is fixed once. The first start records it durably, page by page, as job
 * markers (repos/payouts.ts) before any job is queued; only then are the recorded jobs queued, in
 * marker order. Both steps keep their progress on the run, so a start that dies half way, or runs
 * out of its share of work, is continued where it stopped: by a continuation message that the
 * payout worker picks up, or by the next start. Later starts never add a payee (an influencer
 * credited for the first time after the set was recorded is paid by the next period's run); they
 * only queue again the recorded jobs that are not done. The run completes when every recorded job
 * is done, so nothing is paid by a run after it says `complete`.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { checkRunPeriod, comparePeriods } from '../common/domain/payout';
import { enqueuePayoutJobs, enqueueRunContinuation } from '../common/queue/payout-jobs-queue';
import { type OrderRepo, PAYEE_SHARDS, transact } from '../common/repos/orders';
import { MAX_RECORD_PAGE, type PayeeCursor, type PayoutRepo, type RunRecord } from '../common/repos/payouts';

export interface RunDependencies {
  payouts: PayoutRepo;
  orders: OrderRepo;
  jobsQueueUrl: string;
  /** The clock, only for the bound on how far ahead a period may be (default: the system clock). */
  now?: () => Date;
  /** Payees per recorded page (default and at most 99: one transaction item is the run's). */
  recordPageSize?: number;
  /**
   * Pages (recorded, or queued) one call handles before it hands the rest to a continuation
   * message, so a run of very many influencers never depends on one call finishing.
   */
  pagesPerCall?: number;
}

export type StartResult =
  | { kind: 'complete' }
  | { kind: 'running'; queuedJobs: number }
  | { kind: 'conflict'; latestPeriod: string }
  /** CONTRACT §5: more than one month after the current UTC month; nothing was written. */
  | { kind: 'invalid_period'; latestAllowed: string };

const DEFAULT_PAGES_PER_CALL = 50;
/** Job markers read per queueing page (each page is sent in SendMessageBatch calls of 10). */
const QUEUE_PAGE_SIZE = 100;

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
  return advancePayoutRun(deps, period, { requeueUnfinished: true });
}

/**
 * Records the rest of the run's payee set, then queues the recorded jobs not queued yet, within
 * `pagesPerCall` pages; what is left goes to a continuation message. With `requeueUnfinished`
 * (a start of a run whose jobs were all queued before), the recorded jobs that are not done are
 * queued again: a job that failed for good, or a queue that lost it, is retried by starting again.
 * Queueing a job twice is harmless: the worker skips a done job and resumes an unfinished one.
 */
export async function advancePayoutRun(
  deps: RunDependencies,
  period: string,
  { requeueUnfinished = false }: { requeueUnfinished?: boolean } = {},
): Promise<StartResult> {
  const pageSize = Math.min(deps.recordPageSize ?? MAX_RECORD_PAGE, MAX_RECORD_PAGE);
  let budget = deps.pagesPerCall ?? DEFAULT_PAGES_PER_CALL;
  const stored = await deps.payouts.run(period);
  if (stored?.status === 'complete') return { kind: 'complete' };
  let run = recordingRun(period, stored);
  const wasQueued = run.queued;
  let queuedJobs = 0;
  let refusedInARow = 0;

  // 1. The payee set, once: each page's markers and the run's progress in one transaction.
  while (!run.recorded) {
    if (budget-- <= 0) return continueLater(deps, period, queuedJobs);
    const cursor: PayeeCursor = run.payeeCursor ?? { shard: 0 };
    const page = await deps.orders.payeePage(cursor.shard, cursor.start, pageSize);
    const next: PayeeCursor | undefined = page.next
      ? { shard: cursor.shard, start: page.next }
      : cursor.shard + 1 < PAYEE_SHARDS
        ? { shard: cursor.shard + 1 }
        : undefined;
    // False or a conflict: an overlapping start recorded this page; go on from what it recorded.
    const pageNumber = run.recordedPages;
    await transactOrConflict(deps.payouts.recordPageItems(period, pageNumber, page.influencerIds, next));
    run = await requireRun(deps, period);
    // Nobody got further either, three times: fail (and be retried) rather than spin.
    refusedInARow = run.recordedPages === pageNumber && !run.recorded ? refusedInARow + 1 : 0;
    if (refusedInARow >= 3) {
      throw new Error(
        `Page ${pageNumber} of the payee set of the payout run of ${period} cannot be recorded.`,
      );
    }
  }

  // 2. Every recorded job once, in marker order, from where the last call stopped.
  if (!run.queued) {
    let after = run.queuedThrough;
    for (;;) {
      if (budget-- <= 0) return continueLater(deps, period, queuedJobs);
      const page = await deps.payouts.jobsPage(period, after, QUEUE_PAGE_SIZE);
      queuedJobs += await queueJobs(deps, period, page.jobs);
      if (page.lastSk === undefined) {
        await deps.payouts.queuedAll(period); // a run without payees
        break;
      }
      await deps.payouts.queuedThrough(period, page.lastSk, !page.more);
      after = page.lastSk;
      if (!page.more) break;
    }
  } else if (requeueUnfinished && wasQueued) {
    // 3. A start of a run whose jobs were all queued: queue again the ones that are not done.
    let after: string | undefined;
    let more = true;
    while (more) {
      const page = await deps.payouts.jobsPage(period, after, QUEUE_PAGE_SIZE);
      queuedJobs += await queueJobs(deps, period, page.jobs);
      after = page.lastSk;
      more = page.more;
    }
  }

  // Every job may have finished before the set was complete (or there was none).
  if (await deps.payouts.completeIfDone(period)) return { kind: 'complete' };
  return { kind: 'running', queuedJobs };
}

/** A run that records its payee set (every run but one started before runs did). */
type RecordingRun = RunRecord & { recordedPages: number };

async function requireRun(deps: RunDependencies, period: string): Promise<RecordingRun> {
  return recordingRun(period, await deps.payouts.run(period));
}

function recordingRun(period: string, run: RunRecord | undefined): RecordingRun {
  if (!run) throw new Error(`The payout run of ${period} does not exist.`);
  if (run.recordedPages === undefined) {
    // Started before runs recorded their payee set: it has no progress to continue from.
    throw new Error(`The payout run of ${period} has no recorded payee set; it cannot be continued.`);
  }
  return { ...run, recordedPages: run.recordedPages };
}

/** Queues the pending jobs of a page of markers; how many were queued. */
async function queueJobs(
  deps: RunDependencies,
  period: string,
  jobs: ReadonlyArray<{ influencerId: string; state: string }>,
): Promise<number> {
  const pending = jobs.filter((job) => job.state === 'pending');
  await enqueuePayoutJobs(
    deps.jobsQueueUrl,
    pending.map(({ influencerId }) => ({ period, influencerId })),
  );
  return pending.length;
}

/** Hands the rest of the run to the payout worker (and a later start may continue it too). */
async function continueLater(
  deps: RunDependencies,
  period: string,
  queuedJobs: number,
): Promise<StartResult> {
  await enqueueRunContinuation(deps.jobsQueueUrl, period);
  return { kind: 'running', queuedJobs };
}

/** A recording transaction that lost to an overlapping one is not an error: the loser reads again. */
async function transactOrConflict(items: Parameters<typeof transact>[0]): Promise<boolean> {
  try {
    return await transact(items);
  } catch (err) {
    if (
      err instanceof TransactionCanceledException &&
      (err.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict')
    ) {
      return false;
    }
    throw err;
  }
}
