/**
 * What integration tests need to call handlers directly: their shapes (the handlers are imported
 * after the test's environment is set, so tests cast them to these) and a bounded poll for results
 * that a queue or a stream delivers asynchronously.
 */
import type { APIGatewayProxyEventV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';

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
