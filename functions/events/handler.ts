/**
 * Consumer of the orders and payouts tables' streams (lib/wiring.ts `streams`): turns committed
 * changes into deliveries to event endpoints. Thin: what is an event and why none is lost or made
 * twice is in ./produce.ts and domain/events.ts.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { requireEnv } from '../common/config/env';
import { logger } from '../common/logger';
import { logMetrics } from '../common/metrics';
import { enqueueDelivery } from '../common/queue/deliveries-queue';
import { deliveryRepo } from '../common/repos/deliveries';
import { endpointRepo } from '../common/repos/endpoints';
import { orderRepo } from '../common/repos/orders';
import { type ProduceDeps, produceBatch } from './produce';

const tables = { orders: requireEnv('ORDERS_TABLE_NAME'), payouts: requireEnv('PAYOUTS_TABLE_NAME') };
const queueUrl = requireEnv('DELIVERIES_QUEUE_URL');

const deps: ProduceDeps = {
  endpoints: endpointRepo(requireEnv('CONFIG_TABLE_NAME')),
  deliveries: deliveryRepo(requireEnv('DELIVERIES_TABLE_NAME')),
  orders: orderRepo(tables.orders),
  enqueue: (message) => enqueueDelivery(queueUrl, message),
  tables,
  now: () => new Date(),
  onFailure: (record, error) =>
    logger.error('Stream record failed; it will be read again', {
      eventID: record.eventID,
      sequenceNumber: record.dynamodb?.SequenceNumber,
      error,
    }),
};

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics())
  .handler(async (event) => produceBatch(deps, event.Records));
