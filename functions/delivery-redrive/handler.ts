/**
 * The delivery redrive: queues again the pending deliveries whose attempt is long overdue, so an
 * event is delivered even if the deliveries queue lost its message (or, locally, the in-memory SQS
 * emulator was restarted). Runs on a schedule in AWS, and at start-up and on a timer locally. A
 * message sent twice is harmless: the worker records each attempt once (deliveries repo).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { intEnv, requireEnv } from '../common/config/env';
import { logger } from '../common/logger';
import { logMetrics } from '../common/metrics';
import { enqueueDelivery } from '../common/queue/deliveries-queue';
import { deliveryRepo } from '../common/repos/deliveries';

const deliveries = deliveryRepo(requireEnv('DELIVERIES_TABLE_NAME'));
const queueUrl = requireEnv('DELIVERIES_QUEUE_URL');
/**
 * Overdue by more than an attempt's own time in the queue (a hop of 15 minutes, then a receive and
 * its retries), so a message that is merely on its way is not doubled.
 */
const defaultMinOverdueMs = intEnv('DELIVERY_REDRIVE_MIN_OVERDUE_MS', 20 * 60_000);

/** Later than any `dueAt` (ISO strings of one shape compare as times; a `+` year would sort first). */
const END_OF_TIME = new Date('9999-12-31T23:59:59.999Z');

export interface DeliveryRedriveInput {
  /**
   * Queue everything pending, due or not (the local runtime at start-up: its queue is new, so the
   * message that was to bring a later retry is gone too; the worker holds it until it is due).
   */
  all?: boolean;
}

export async function redriveDeliveries(input: DeliveryRedriveInput = {}, now = new Date()) {
  const before = input.all ? END_OF_TIME : new Date(now.getTime() - defaultMinOverdueMs);
  let requeued = 0;
  for await (const delivery of deliveries.dueBefore(before)) {
    await enqueueDelivery(queueUrl, {
      endpointId: delivery.endpointId,
      eventId: delivery.eventId,
      attempts: delivery.attempts,
    });
    requeued++;
  }
  if (requeued) logger.warn('Delivery redrive', { requeued });
  return { requeued };
}

export const handler = middy<DeliveryRedriveInput | undefined, { requeued: number }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics())
  .handler(async (event) => redriveDeliveries({ all: event?.all === true }));
