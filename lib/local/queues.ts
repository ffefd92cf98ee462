/**
 * The wiring manifest's queues on the SQS emulator (each with its dead-letter queue and redrive
 * policy), and pollers that feed them to their consumer functions as real `SQSEvent` batches, the
 * way Lambda's event source mapping does: messages reported in `batchItemFailures` (or all of them,
 * if the function throws) are not deleted, come back after the visibility timeout, and move to the
 * dead-letter queue after `maxReceiveCount` receives.
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { functions, type QueueKey, type QueueSpec, queues } from '../wiring';
import { lambdaContext } from './api-gateway-event';

export interface LocalQueue {
  url: string;
  arn: string;
  deadLetterUrl: string;
}
export type LocalQueues = Record<QueueKey, LocalQueue>;

export async function provisionQueues(
  client: SQSClient,
  prefix: string,
  overrides: { visibilityTimeoutSeconds?: number } = {},
): Promise<LocalQueues> {
  const result: Partial<LocalQueues> = {};
  for (const [key, spec] of Object.entries(queues) as Array<[QueueKey, QueueSpec]>) {
    const dlq = await client.send(
      new CreateQueueCommand({
        QueueName: `${prefix}-${key}-dlq`,
        Attributes: { MessageRetentionPeriod: String(spec.deadLetter.retentionDays * 86_400) },
      }),
    );
    const dlqArn = await queueArn(client, dlq.QueueUrl);
    const main = await client.send(
      new CreateQueueCommand({
        QueueName: `${prefix}-${key}`,
        Attributes: {
          VisibilityTimeout: String(overrides.visibilityTimeoutSeconds ?? spec.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: String(spec.maxReceiveCount),
          }),
        },
      }),
    );
    result[key] = {
      url: main.QueueUrl ?? '',
      arn: await queueArn(client, main.QueueUrl),
      deadLetterUrl: dlq.QueueUrl ?? '',
    };
  }
  return result as LocalQueues;
}

async function queueArn(client: SQSClient, url: string | undefined): Promise<string> {
  const out = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = out.Attributes?.QueueArn;
  if (!url || !arn) throw new Error('The SQS emulator did not create the queue.');
  return arn;
}

type SqsLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface QueuePoller {
  stop(): Promise<void>;
}

export function startQueuePoller(input: {
  client: SQSClient;
  queue: LocalQueue;
  spec: QueueSpec;
  handler: () => Promise<SqsLambda>;
  onError?: (err: unknown) => void;
}): QueuePoller {
  const { client, queue, spec } = input;
  const consumer = spec.consumer as keyof typeof functions;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const out = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: spec.batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        const messages = out.Messages ?? [];
        if (messages.length === 0 || !running) continue;
        const event: SQSEvent = {
          Records: messages.map((m) => ({
            messageId: m.MessageId ?? '',
            receiptHandle: m.ReceiptHandle ?? '',
            body: m.Body ?? '',
            attributes: {
              ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
              SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
              SenderId: m.Attributes?.SenderId ?? 'local',
              ApproximateFirstReceiveTimestamp:
                m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
            },
            messageAttributes: {},
            md5OfBody: m.MD5OfBody ?? '',
            eventSource: 'aws:sqs',
            eventSourceARN: queue.arn,
            awsRegion: 'us-east-1',
          })),
        };
        let failed: Set<string>;
        try {
          const handler = await input.handler();
          const response = await handler(event, lambdaContext(consumer, functions[consumer].timeoutSeconds));
          failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        } catch (err) {
          input.onError?.(err);
          failed = new Set(event.Records.map((r) => r.messageId));
        }
        const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
        if (done.length) {
          await client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queue.url,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
            }),
          );
        }
      } catch (err) {
        if (!running) break;
        input.onError?.(err);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
