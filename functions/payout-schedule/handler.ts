/**
 * The monthly schedule: on the 1st, pay the previous month. The period comes from the time the run
 * was scheduled for (EventBridge Scheduler's `scheduledTime`, the same on every retry), never from
 * the clock, so a retry or a late redrive still pays the same month.
 *
 * A refused run (a later period already ran, or the period is out of bounds) throws: the invocation
 * fails, Lambda retries it, then it lands in the schedule's dead-letter queue, and both the
 * function's error alarm and the queue's alarm fire. A month that silently does not pay must page
 * someone (a mistyped period run by hand would otherwise block every scheduled run with a log line).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduleInvocation } from '../../lib/wiring';
import { periodOfInstant, previousPeriod } from '../common/domain/payout';
import { logger } from '../common/logger';
import { logMetrics } from '../common/metrics';
import { payoutRunDependencies } from '../payouts/dependencies';
import { startPayoutRun } from '../payouts/start-run';

const deps = payoutRunDependencies();

export const handler = middy<ScheduleInvocation, unknown>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics())
  .handler(async (event) => {
    const scheduledMs = Date.parse(event.scheduledTime);
    if (Number.isNaN(scheduledMs))
      throw new Error(`The schedule input has no valid scheduledTime: ${event.scheduledTime}`);
    const period = previousPeriod(periodOfInstant(scheduledMs));
    const result = await startPayoutRun(deps, period);
    if (result.kind === 'conflict') {
      throw new Error(
        `The scheduled payout run of ${period} was refused: a later period (${result.latestPeriod}) has already run.`,
      );
    }
    if (result.kind === 'invalid_period') {
      throw new Error(
        `The scheduled payout run of ${period} was refused: it is after ${result.latestAllowed}; is the clock right?`,
      );
    }
    logger.info('Payout run started', { period, ...result });
    return { period, ...result };
  });
