/** What every self-service action needs, built once per function instance from its configuration. */
import { requireEnv } from '../common/config/env';
import { counterRepo } from '../common/repos/counters';
import { deliveryRepo } from '../common/repos/deliveries';
import { endpointRepo } from '../common/repos/endpoints';
import { enrollmentRepo } from '../common/repos/enrollments';
import { influencerRepo } from '../common/repos/influencers';
import { linkRepo } from '../common/repos/links';
import { merchantRepo } from '../common/repos/merchants';
import { orderRepo } from '../common/repos/orders';
import { payoutRepo } from '../common/repos/payouts';
import { storefrontRepo } from '../common/repos/storefronts';
import { statementStoreFromEnv } from '../common/statements/store';

const configTable = requireEnv('CONFIG_TABLE_NAME');
const publicBaseUrl = new URL(requireEnv('PUBLIC_BASE_URL'));

export const selfService = {
  merchants: merchantRepo(configTable),
  influencers: influencerRepo(configTable),
  links: linkRepo(configTable),
  enrollments: enrollmentRepo(configTable),
  endpoints: endpointRepo(configTable),
  deliveries: deliveryRepo(requireEnv('DELIVERIES_TABLE_NAME')),
  deliveriesQueueUrl: requireEnv('DELIVERIES_QUEUE_URL'),
  storefronts: storefrontRepo(configTable),
  orders: orderRepo(requireEnv('ORDERS_TABLE_NAME')),
  payouts: payoutRepo(requireEnv('PAYOUTS_TABLE_NAME')),
  counters: counterRepo(requireEnv('COUNTERS_TABLE_NAME')),
  statements: statementStoreFromEnv(),
  /** Where short links are served, e.g. `https://go.example.com`. */
  publicBaseUrl: publicBaseUrl.toString().replace(/\/$/, ''),
  ownHost: publicBaseUrl.hostname,
  now: () => new Date(),
};
