/**
 * The outbox redrive: re-queues accepted webhooks that have not been processed, so a 202 is never
 * lost even if the queue lost its message (or, locally, the in-memory SQS emulator was restarted).
 * Runs on a schedule in AWS and at start-up and on a timer locally. Processing is idempotent, so a
 * message sent twice is harmless; each webhook is redriven a bounded number of times, after which
 * it waits in the dead-letter queue (alarmed) for an operator.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { intEnv, requireEnv } from '../common/config/env';
import { logger } from '../common/logger';
import { logMetrics } from '../common/metrics';
import { enqueueOrderMessage } from '../common/queue/orders-queue';
import { inboxRepo } from '../common/repos/webhook-inbox';

const inbox = inboxRepo(requireEnv('WEBHOOK_INBOX_TABLE_NAME'));
const queueUrl = requireEnv('ORDERS_QUEUE_URL');
/** Older than the queue's own retries (5 receives x 3 min), so normal processing is not doubled. */
const defaultMinAgeMs = intEnv('OUTBOX_REDRIVE_MIN_AGE_MS', 20 * 60_000);
const maxRedrives = intEnv('OUTBOX_MAX_REDRIVES', 3);

export interface RedriveInput {
  /** Re-queue everything pending, whatever its age (the local runtime at start-up: its queue is new). */
  all?: boolean;
}

export async function redrivePending(input: RedriveInput = {}, now = new Date()) {
  const before = new Date(now.getTime() - (input.all ? 0 : defaultMinAgeMs)).toISOString();
  let requeued = 0;
  let exhausted = 0;
  for await (const item of inbox.pending(before)) {
    if (item.redrives >= maxRedrives && !input.all) {
      exhausted++;
      continue;
    }
    if (await inbox.recordRedrive(item, now.toISOString())) {
      await enqueueOrderMessage(queueUrl, item.message);
      requeued++;
    }
  }
  if (requeued || exhausted) logger.warn('Outbox redrive', { requeued, exhausted });
  return { requeued, exhausted };
}

export const handler = middy<RedriveInput | undefined, { requeued: number; exhausted: number }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics())
  .handler(async (event) => redrivePending({ all: event?.all === true }));
