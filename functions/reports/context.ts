/** What the report routes need, built once per function instance: read-only repos. */
import { requireEnv } from '../common/config/env';
import { counterRepo } from '../common/repos/counters';
import { influencerRepo } from '../common/repos/influencers';
import { merchantRepo } from '../common/repos/merchants';
import { orderRepo } from '../common/repos/orders';

const configTable = requireEnv('CONFIG_TABLE_NAME');

export const reports = {
  counters: counterRepo(requireEnv('COUNTERS_TABLE_NAME')),
  influencers: influencerRepo(configTable),
  merchants: merchantRepo(configTable),
  orders: orderRepo(requireEnv('ORDERS_TABLE_NAME')),
  now: () => new Date(),
};
