/**
 * The payout routes of the operator API (CONTRACT §5, §8, §12): start (or re-read) a run, read a
 * run, a payout's CSV statement, and a payout's settlement.
 */

import { payoutView } from '../common/actions/payouts';
import { payoutStatement } from '../common/actions/statements';
import { intEnv } from '../common/config/env';
import { routeHandler } from '../common/http/adapter';
import { apiError, json, notFound } from '../common/http/responses';
import { statementStoreFromEnv } from '../common/statements/store';
import { payoutRunDependencies } from './dependencies';
import { payoutRoutes } from './routes';
import { settlePayout } from './settle';
import { startPayoutRun } from './start-run';

const deps = payoutRunDependencies();
const statements = statementStoreFromEnv();
/** How long a POST waits for its run to finish before answering 202 (API Gateway allows 30 s). */
const waitMs = intEnv('PAYOUT_RUN_WAIT_MS', 20_000);

export const handler = routeHandler(payoutRoutes, {
  startPayoutRun: ({ body }) => startRun(body.period),
  getPayoutRun: ({ query }) => readRun(query.period),
  getStatement: ({ params }) => payoutStatement({ ...deps, statements }, params.influencerId, params.period),
  settlePayout: ({ params, body }) => settlePayout(deps, params.payoutId, body),
});

async function startRun(period: string) {
  const started = await startPayoutRun(deps, period);
  if (started.kind === 'invalid_period') {
    throw apiError('invalid_body', undefined, [
      {
        path: 'period',
        message: `Must be at most one month after the current UTC month (${started.latestAllowed}).`,
      },
    ]);
  }
  if (started.kind === 'conflict') {
    throw apiError(
      'period_before_latest_run',
      `A later period (${started.latestPeriod}) has already run; ${period} can no longer be started.`,
    );
  }
  const deadline = Date.now() + waitMs;
  for (;;) {
    const run = await deps.payouts.run(period);
    if (run?.status === 'complete' || Date.now() >= deadline) {
      const view = await runView(period);
      return json(view.status === 'complete' ? 200 : 202, view);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function readRun(period: string) {
  if (!(await deps.payouts.run(period))) throw notFound('A payout run for this period');
  return json(200, await runView(period));
}

async function runView(period: string) {
  const run = await deps.payouts.run(period);
  const payouts = (await deps.payouts.payouts(period))
    .map(payoutView)
    .sort((a, b) => a.influencerId.localeCompare(b.influencerId) || a.currency.localeCompare(b.currency));
  return { period, status: run?.status ?? 'running', payouts };
}
