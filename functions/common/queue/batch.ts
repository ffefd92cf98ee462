import {
  BatchProcessor,
  EventType,
  ParsingError,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import type { EventSourceDataClassTypes, FailureResponse } from '@aws-lambda-powertools/batch/types';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../logger';
import { addMetric, logMetrics } from '../metrics';
import { BusinessMetric, functionEnv } from '../observability';
import * as z from '../schemas/zod';

/**
 * A JSON body checked against its schema. The issue of a body that is not JSON is ours, not the
 * JSON parser's message, which quotes the start of the body, and bodies are never logged.
 */
function jsonBody<S extends z.core.$ZodType>(schema: S) {
  const json = z.pipe(
    z.string(),
    z.transform((text: string, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.issues.push({ code: 'custom', input: text, message: 'The body is not JSON.' });
        return z.NEVER;
      }
    }),
  );
  return z.pipe(json, schema);
}

/**
 * The record's message, or a `ParsingError` naming each issue by its path in the record
 * (`body.event.lines.0.quantity: …`) and never quoting the body. Our own parse rather than
 * Powertools' parser integration, which validates with the classic zod API (a bundle that loads it
 * loads all of zod at every cold start).
 */
function messageOf<S extends z.core.$ZodType>(bodySchema: S, record: SQSRecord): z.output<S> {
  const result = z.safeParse(bodySchema, record.body);
  if (result.success) return result.data;
  throw new ParsingError(
    result.error.issues.map((issue) => `${['body', ...issue.path].join('.')}: ${issue.message}`).join('; '),
  );
}

/** Logs each failed record (parse or processing) by id and reason; never its body. */
class LoggedBatchProcessor extends BatchProcessor {
  override failureHandler(record: EventSourceDataClassTypes, error: Error): FailureResponse {
    const { messageId, attributes } = record as SQSRecord;
    logger.error('Message failed; it will be retried', {
      messageId,
      receiveCount: attributes?.ApproximateReceiveCount,
      error,
    });
    countIfDeadLettered(record as SQSRecord);
    return super.failureHandler(record, error);
  }
}

/**
 * An SQS consumer with partial batch failures. Each record's body is parsed with the queue's
 * message schema and handed over typed; a record that does not parse, or whose handling throws, is
 * logged and reported in `batchItemFailures` (so only it is retried, and after the queue's
 * maxReceiveCount it moves to the dead-letter queue), the others are acknowledged.
 */
export function sqsBatchHandler<S extends z.core.$ZodType>(
  bodySchema: S,
  handleMessage: (message: z.output<S>, record: SQSRecord) => Promise<void>,
) {
  const processor = new LoggedBatchProcessor(EventType.SQS);
  const body = jsonBody(bodySchema);
  const handleRecord = async (record: SQSRecord) => handleMessage(messageOf(body, record), record);
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics())
    .handler(async (event, context) =>
      processPartialResponse(event, handleRecord, processor, { context, throwOnFullBatchFailure: false }),
    );
}

/**
 * A record that failed its last allowed receive is moved to the dead-letter queue by SQS, not by
 * us, so this is where it is seen: counted when its receive count has reached the queue's
 * maxReceiveCount (QUEUE_MAX_RECEIVE_COUNT, from the wiring manifest: lib/function-env.ts).
 */
function countIfDeadLettered(record: SQSRecord): void {
  const maxReceiveCount = Number(functionEnv('QUEUE_MAX_RECEIVE_COUNT'));
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  if (maxReceiveCount > 0 && receiveCount >= maxReceiveCount) {
    addMetric(BusinessMetric.MessagesDeadLettered);
  }
}
