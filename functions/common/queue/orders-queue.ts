import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../clients/aws';
import type { OrderMessage } from '../repos/webhook-inbox';

/** Sends an accepted order event to the attribution worker. */
export async function enqueueOrderMessage(queueUrl: string, message: OrderMessage | string): Promise<void> {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: typeof message === 'string' ? message : JSON.stringify(message),
    }),
  );
}
