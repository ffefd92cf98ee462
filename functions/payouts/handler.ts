/**
 * The payout routes of the operator API (CONTRACT §5, §8): start (or re-read) a run, read a run,
 * and a payout's CSV statement.
 */
import { intEnv } from '../common/config/env';
import { type StatementItem, statementCsv } from '../common/domain/statement';
import { routeHandler } from '../common/http/adapter';
import { apiError, json, notFound } from '../common/http/responses';
import type { PayoutRecord } from '../common/repos/payouts';
import { statementKey, statementStoreFromEnv } from '../common/statements/store';
import { payoutRunDependencies } from './dependencies';
import { payoutRoutes } from './routes';
import { startPayoutRun } from './start-run';

const deps = payoutRunDependencies();
const statements = statementStoreFromEnv();
/** How long a POST waits for its run to finish before answering 202 (API Gateway allows 30 s). */
const waitMs = intEnv('PAYOUT_RUN_WAIT_MS', 20_000);

export const handler = routeHandler(payoutRoutes, {
  startPayoutRun: ({ body }) => startRun(body.period),
  getPayoutRun: ({ query }) => readRun(query.period),
  getStatement: ({ params }) => statement(params.influencerId, params.period),
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

const publicPayout = (p: PayoutRecord) => ({
  payoutId: p.payoutId,
  influencerId: p.influencerId,
  currency: p.currency,
  amountMinor: p.state === 'done' ? p.amountMinor : p.markedMinor,
  items: p.state === 'done' ? p.items : p.markedItems,
  status: p.status,
});

async function runView(period: string) {
  const run = await deps.payouts.run(period);
  const payouts = (await deps.payouts.payouts(period))
    .map(publicPayout)
    .sort((a, b) => a.influencerId.localeCompare(b.influencerId) || a.currency.localeCompare(b.currency));
  return { period, status: run?.status ?? 'running', payouts };
}

/**
 * The statement of an influencer's payable payouts of a period (one row per order and per fee,
 * every currency).
 * Built from the `byPayout` index the first time it is asked for, checked against the payouts' item
 * counts (the index is eventually consistent), and kept in the statement store from then on.
 */
async function statement(influencerId: string, period: string) {
  const key = statementKey(period, influencerId);
  let csv = await statements.get(key);
  if (!csv) {
    const payable = (await deps.payouts.payouts(period, influencerId)).filter(
      (p) => p.status === 'payable' && p.state === 'done',
    );
    if (payable.length === 0) throw notFound('A payable payout for this influencer and period');
    const items: StatementItem[] = [];
    for (const payout of payable) {
      let count = 0;
      for await (const item of deps.orders.paidBy(payout.payoutId)) {
        items.push({ ...item, occurredAt: item.orderOccurredAt });
        count++;
      }
      if (count !== payout.items) {
        throw apiError('statement_not_ready');
      }
    }
    csv = statementCsv(items);
    await statements.put(key, csv);
  }
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="creditlink-${influencerId}-${period}.csv"`,
      'cache-control': 'no-store',
    },
    body: csv,
  };
}
