/**
 * The monthly schedule: on the 1st, pay the previous month. The period comes from the time the run
 * was scheduled for (EventBridge Scheduler's `scheduledTime`, the same on every retry), never from
 * the clock, so a retry or a late redrive still pays the same month.
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
    // A later period already ran (an operator ran it by hand): nothing to do, and no retry helps.
    if (result.kind === 'conflict')
      logger.warn('Payout run skipped', { period, latestPeriod: result.latestPeriod });
    else logger.info('Payout run started', { period, ...result });
    return { period, ...result };
  });
