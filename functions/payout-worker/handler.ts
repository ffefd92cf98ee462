/** Consumer of the payout-jobs queue: one message, one influencer of one run (partial batch failures). */
import { intEnv, requireEnv } from '../common/config/env';
import { sqsBatchHandler } from '../common/queue/batch';
import { influencerRepo } from '../common/repos/influencers';
import { orderRepo } from '../common/repos/orders';
import { payoutRepo } from '../common/repos/payouts';
import { payoutJobSchema } from '../common/schemas/messages';
import { type PayDependencies, payInfluencer } from './pay-influencer';

const deps: PayDependencies = {
  payouts: payoutRepo(requireEnv('PAYOUTS_TABLE_NAME')),
  orders: orderRepo(requireEnv('ORDERS_TABLE_NAME')),
  influencers: influencerRepo(requireEnv('CONFIG_TABLE_NAME')),
  pageSize: intEnv('PAYOUT_PAGE_SIZE', 90),
};

export const handler = sqsBatchHandler(payoutJobSchema, (job) =>
  payInfluencer(deps, job.period, job.influencerId),
);
