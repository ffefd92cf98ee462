import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { parser } from '@aws-lambda-powertools/batch/parser';
import type {
  EventSourceDataClassTypes,
  FailureResponse,
  ParsedRecord,
} from '@aws-lambda-powertools/batch/types';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { logger } from '../logger';
import { addMetric, logMetrics } from '../metrics';
import { BusinessMetric, functionEnv } from '../observability';

/**
 * A JSON body checked against its schema. Not Powertools' `JSONStringified`: its issue quotes the
 * JSON parser's message, which quotes the start of the body, and bodies are never logged.
 */
function jsonBody<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'The body is not JSON.' });
        return z.NEVER;
      }
    })
    .pipe(schema);
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
 * message schema (Powertools' parser integration) and handed over typed; a record that does not
 * parse, or whose handling throws, is logged and reported in `batchItemFailures` (so only it is
 * retried, and after the queue's maxReceiveCount it moves to the dead-letter queue), the others are
 * acknowledged.
 */
export function sqsBatchHandler<S extends z.ZodType>(
  bodySchema: S,
  handleMessage: (message: z.output<S>, record: ParsedRecord<SQSRecord, z.output<S>>) => Promise<void>,
) {
  const processor = new LoggedBatchProcessor(EventType.SQS, {
    parser,
    schema: SqsRecordSchema.extend({ body: jsonBody(bodySchema) }),
    logger,
  });
  // The parser replaced the body by the parsed message; the rest of the record is as received.
  const handleRecord = (record: ParsedRecord<SQSRecord, z.output<S>>) => handleMessage(record.body, record);
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
