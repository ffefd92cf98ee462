/**
 * What integration tests need to call handlers directly: their shapes (the handlers are imported
 * after the test's environment is set, so tests cast them to these) and a bounded poll for results
 * that a queue or a stream delivers asynchronously.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type LocalQueue, type QueuePoller, startQueuePoller } from '../../lib/local/queues';
import { type QueueKey, queues } from '../../lib/wiring';

export type HttpResult = {
  statusCode: number;
  body?: string;
  headers?: Record<string, string>;
  cookies?: string[];
};
export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>;
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** Reads until `done` holds or the time is up, and returns the last value read (the test asserts it). */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A local poller feeding one of the manifest's queues to a consumer handler, as `npm start` does. */
export function pollQueue(
  client: SQSClient,
  queue: LocalQueue,
  key: QueueKey,
  handler: SqsHandler,
): QueuePoller {
  return startQueuePoller({ client, queue, spec: queues[key], handler: async () => handler as never });
}
