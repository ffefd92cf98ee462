/**
 * Consumer of the clicks and orders tables' streams (lib/wiring.ts `streams`): keeps the per-day
 * report counters. Thin: the work, and why it counts each record exactly once, is in aggregate.ts.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { requireEnv } from '../common/config/env';
import { logger } from '../common/logger';
import { logMetrics } from '../common/metrics';
import { counterRepo } from '../common/repos/counters';
import { type AggregatorDeps, aggregateBatch, SketchCompactor } from './aggregate';
import { streamLookups } from './lookups';

const counters = counterRepo(requireEnv('COUNTERS_TABLE_NAME'));
const tables = { clicks: requireEnv('CLICKS_TABLE_NAME'), orders: requireEnv('ORDERS_TABLE_NAME') };
const lookups = streamLookups(tables);

const deps: AggregatorDeps = {
  counters,
  tables,
  resolve: (needs) => lookups.resolve(needs),
  compactor: new SketchCompactor(counters),
  now: () => new Date(),
  pause: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics())
  .handler(async (event, context) =>
    aggregateBatch(deps, event.Records, () => context.getRemainingTimeInMillis()),
  );
