import { intEnv, requireEnv } from '../common/config/env';
import { orderRepo } from '../common/repos/orders';
import { payoutRepo } from '../common/repos/payouts';
import type { RunDependencies } from './start-run';

/** What starting a run needs, from the function's configuration. */
export function payoutRunDependencies(): RunDependencies {
  return {
    payouts: payoutRepo(requireEnv('PAYOUTS_TABLE_NAME')),
    orders: orderRepo(requireEnv('ORDERS_TABLE_NAME')),
    jobsQueueUrl: requireEnv('PAYOUT_JOBS_QUEUE_URL'),
    recordPageSize: intEnv('PAYOUT_RECORD_PAGE_SIZE', 99),
    pagesPerCall: intEnv('PAYOUT_PAGES_PER_CALL', 50),
  };
}
