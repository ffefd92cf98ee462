import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../logger';
import { addMetric, logMetrics } from '../metrics';
import { BusinessMetric, functionEnv } from '../observability';

/**
 * An SQS consumer with partial batch failures: each record is handled on its own, a failing one is
 * logged and reported in `batchItemFailures` (so only it is retried, and after the queue's
 * maxReceiveCount it moves to the dead-letter queue), the others are acknowledged.
 */
export function sqsBatchHandler(handleRecord: (record: SQSRecord) => Promise<void>) {
  const processor = new BatchProcessor(EventType.SQS);
  const logged = async (record: SQSRecord) => {
    try {
      await handleRecord(record);
    } catch (err) {
      logger.error('Message failed; it will be retried', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error: err as Error,
      });
      countIfDeadLettered(record);
      throw err;
    }
  };
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics())
    .handler(async (event, context) =>
      processPartialResponse(event, logged, processor, { context, throwOnFullBatchFailure: false }),
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
