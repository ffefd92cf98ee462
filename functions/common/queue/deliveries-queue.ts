import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../clients/aws';
import type { DeliveryMessage } from '../schemas/messages';

/** SQS's longest delay: a later attempt is reached in hops of at most this (functions/deliveries). */
export const MAX_QUEUE_DELAY_SECONDS = 900;

/** Queues a delivery's attempt, after `delaySeconds` (capped at SQS's 15 minutes). */
export async function enqueueDelivery(
  queueUrl: string,
  message: DeliveryMessage,
  delaySeconds = 0,
): Promise<void> {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(message),
      DelaySeconds: Math.max(0, Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(delaySeconds))),
    }),
  );
}
