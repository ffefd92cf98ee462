import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../clients/aws';
import type { ContinueRun, PayoutJob, PayoutJobsMessage } from '../schemas/messages';

/** SendMessageBatch takes at most 10 entries. */
const SQS_BATCH_LIMIT = 10;

/** Queues payout jobs for the payout worker (parsed there with `payoutJobsMessageSchema`), ten per call. */
export async function enqueuePayoutJobs(queueUrl: string, jobs: readonly PayoutJob[]): Promise<void> {
  await enqueue(queueUrl, jobs);
}

/** Hands the rest of a run's recording and queueing to the payout worker. */
export async function enqueueRunContinuation(queueUrl: string, period: string): Promise<void> {
  await enqueue(queueUrl, [{ period, continueRun: true } satisfies ContinueRun]);
}

async function enqueue(queueUrl: string, messages: readonly PayoutJobsMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += SQS_BATCH_LIMIT) {
    const batch = messages.slice(i, i + SQS_BATCH_LIMIT);
    const out = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((message, j) => ({ Id: String(j), MessageBody: JSON.stringify(message) })),
      }),
    );
    if (out.Failed?.length)
      throw new Error(`Could not queue ${out.Failed.length} payout messages; run again to resume.`);
  }
}
