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
    .handler(async (event, context) =>
      processPartialResponse(event, handleRecord, processor, { context, throwOnFullBatchFailure: false }),
    );
}
