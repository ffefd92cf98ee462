/**
 * Consumer of the payout-jobs queue (partial batch failures). A message is one influencer of one run,
 * or the continuation of a run's recording and queueing that a start handed over.
 */
import type { SQSRecord } from 'aws-lambda';
import { intEnv, requireEnv } from '../common/config/env';
import { isPeriod } from '../common/domain/payout';
import { sqsBatchHandler } from '../common/queue/batch';
import { influencerRepo } from '../common/repos/influencers';
import { payoutRunDependencies } from '../payouts/dependencies';
import { advancePayoutRun, type ContinueRun, type PayoutJob } from '../payouts/start-run';
import { type PayDependencies, payInfluencer } from './pay-influencer';

const runDeps = payoutRunDependencies();
const deps: PayDependencies = {
  payouts: runDeps.payouts,
  orders: runDeps.orders,
  influencers: influencerRepo(requireEnv('CONFIG_TABLE_NAME')),
  pageSize: intEnv('PAYOUT_PAGE_SIZE', 90),
};

async function handleRecord(record: SQSRecord): Promise<void> {
  const message = JSON.parse(record.body) as Partial<PayoutJob & ContinueRun>;
  if (typeof message.period !== 'string' || !isPeriod(message.period)) {
    throw new Error('Malformed payout message: period (YYYY-MM) is required.');
  }
  if (message.continueRun === true) {
    await advancePayoutRun(runDeps, message.period);
    return;
  }
  if (typeof message.influencerId !== 'string') {
    throw new Error('Malformed payout job: influencerId is required.');
  }
  await payInfluencer(deps, message.period, message.influencerId);
}

export const handler = sqsBatchHandler(handleRecord);
