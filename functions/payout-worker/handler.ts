/** Consumer of the payout-jobs queue: one message, one influencer of one run (partial batch failures). */
import type { SQSRecord } from 'aws-lambda';
import { intEnv, requireEnv } from '../common/config/env';
import { isPeriod } from '../common/domain/payout';
import { sqsBatchHandler } from '../common/queue/batch';
import { influencerRepo } from '../common/repos/influencers';
import { orderRepo } from '../common/repos/orders';
import { payoutRepo } from '../common/repos/payouts';
import type { PayoutJob } from '../payouts/start-run';
import { type PayDependencies, payInfluencer } from './pay-influencer';

const deps: PayDependencies = {
  payouts: payoutRepo(requireEnv('PAYOUTS_TABLE_NAME')),
  orders: orderRepo(requireEnv('ORDERS_TABLE_NAME')),
  influencers: influencerRepo(requireEnv('CONFIG_TABLE_NAME')),
  pageSize: intEnv('PAYOUT_PAGE_SIZE', 90),
};

async function handleRecord(record: SQSRecord): Promise<void> {
  const job = JSON.parse(record.body) as Partial<PayoutJob>;
  if (typeof job.period !== 'string' || !isPeriod(job.period) || typeof job.influencerId !== 'string') {
    throw new Error('Malformed payout job: period (YYYY-MM) and influencerId are required.');
  }
  await payInfluencer(deps, job.period, job.influencerId);
}

export const handler = sqsBatchHandler(handleRecord);
