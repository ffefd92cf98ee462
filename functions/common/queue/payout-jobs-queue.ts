import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../clients/aws';
import type { PayoutJob } from '../schemas/messages';

/** SendMessageBatch takes at most 10 entries. */
const SQS_BATCH_LIMIT = 10;

/** Queues payout jobs for the payout worker (parsed there with `payoutJobSchema`), ten per call. */
export async function enqueuePayoutJobs(queueUrl: string, jobs: readonly PayoutJob[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += SQS_BATCH_LIMIT) {
    const batch = jobs.slice(i, i + SQS_BATCH_LIMIT);
    const out = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((job, j) => ({ Id: String(j), MessageBody: JSON.stringify(job) })),
      }),
    );
    if (out.Failed?.length)
      throw new Error(`Could not queue ${out.Failed.length} payout jobs; run again to resume.`);
  }
}
