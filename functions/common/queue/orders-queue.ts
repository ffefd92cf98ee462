import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../clients/aws';
import type { OrderMessage } from '../schemas/messages';

/** Sends an accepted order event to the attribution worker (parsed there with `orderMessageSchema`). */
export async function enqueueOrderMessage(queueUrl: string, message: OrderMessage): Promise<void> {
  await sqs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
}
