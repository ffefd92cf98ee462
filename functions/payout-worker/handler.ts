/**
 * Consumer of the payout-jobs queue (partial batch failures). A message is one influencer of one run,
 * or the continuation of a run's recording and queueing that a start handed over.
 */
import { intEnv, requireEnv } from '../common/config/env';
import { sqsBatchHandler } from '../common/queue/batch';
import { influencerRepo } from '../common/repos/influencers';
import { payoutJobsMessageSchema } from '../common/schemas/messages';
import { payoutRunDependencies } from '../payouts/dependencies';
import { advancePayoutRun } from '../payouts/start-run';
import { type PayDependencies, payInfluencer } from './pay-influencer';

const runDeps = payoutRunDependencies();
const deps: PayDependencies = {
  payouts: runDeps.payouts,
  orders: runDeps.orders,
  influencers: influencerRepo(requireEnv('CONFIG_TABLE_NAME')),
  pageSize: intEnv('PAYOUT_PAGE_SIZE', 90),
};

export const handler = sqsBatchHandler(payoutJobsMessageSchema, async (message) => {
  if ('continueRun' in message) await advancePayoutRun(runDeps, message.period);
  else await payInfluencer(deps, message.period, message.influencerId);
});
