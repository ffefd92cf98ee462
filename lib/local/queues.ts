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
import { type QueueActivity, queueNameOf } from './sqs-local';

export interface LocalQueue {
  url: string;
  arn: string;
  deadLetterUrl: string;
  /** How long a received message stays invisible: a message its consumer failed is back after it. */
  visibilityTimeoutSeconds?: number;
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
    const visibilityTimeoutSeconds = overrides.visibilityTimeoutSeconds ?? spec.visibilityTimeoutSeconds;
    const main = await client.send(
      new CreateQueueCommand({
        QueueName: `${prefix}-${key}`,
        Attributes: {
          VisibilityTimeout: String(visibilityTimeoutSeconds),
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
      visibilityTimeoutSeconds,
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

/**
 * With the emulator's activity, how long an idle poller waits before it receives anyway: every
 * moment a message can become visible is announced (sends, delays, visibility changes, failed
 * batches), so this only bounds what an unforeseen case could cost.
 */
export const IDLE_RECEIVE_INTERVAL_MS = 10_000;

/**
 * Feeds a queue to its consumer. Given the emulator's `activity` (the runtime runs the emulator in
 * its own process), a poller receives without waiting and, when the queue is empty, sleeps until a
 * message may be there: an idle queue costs a receive every IDLE_RECEIVE_INTERVAL_MS, and the
 * emulator runs no timer meanwhile (it checks its waiting receives every 20 ms while any is open).
 * Without it (an emulator in another process), it receives with a 1 s wait: a longer one, cut
 * short on stop, would leave its wait in the emulator and the next message would go to it, lost.
 */
export function startQueuePoller(input: {
  client: SQSClient;
  queue: LocalQueue;
  spec: QueueSpec;
  handler: () => Promise<SqsLambda>;
  onError?: (err: unknown) => void;
  activity?: QueueActivity;
  idleReceiveIntervalMs?: number;
}): QueuePoller {
  const { client, queue, spec, activity } = input;
  const consumer = spec.consumer as keyof typeof functions;
  const queueName = queueNameOf(queue.url);
  let running = true;
  /** Counts the queue's announced moments, so one that comes while a receive is out is not missed. */
  let announced = 0;
  let wake: (() => void) | undefined;
  const unsubscribe = activity?.subscribe(queueName, () => {
    announced += 1;
    wake?.();
  });
  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        wake = undefined;
        clearTimeout(timer);
        resolve();
      };
    });
  const loop = (async () => {
    while (running) {
      const seen = announced;
      try {
        const out = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: spec.batchSize,
            WaitTimeSeconds: activity ? 0 : 1,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        const messages = out.Messages ?? [];
        if (!running) continue;
        if (messages.length === 0) {
          if (activity && announced === seen)
            await idle(input.idleReceiveIntervalMs ?? IDLE_RECEIVE_INTERVAL_MS);
          continue;
        }
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
        // What the consumer failed is received again once it is visible again.
        if (failed.size > 0 && queue.visibilityTimeoutSeconds !== undefined)
          activity?.notify(queueName, queue.visibilityTimeoutSeconds);
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
      unsubscribe?.();
      wake?.();
      await loop;
    },
  };
}
