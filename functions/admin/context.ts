/** What every admin action needs, built once per function instance from its configuration. */
import { requireEnv } from '../common/config/env';
import { apiKeyRepo } from '../common/repos/api-keys';
import { clickRepo } from '../common/repos/clicks';
import { deliveryRepo } from '../common/repos/deliveries';
import { endpointRepo } from '../common/repos/endpoints';
import { enrollmentRepo } from '../common/repos/enrollments';
import { influencerRepo } from '../common/repos/influencers';
import { linkRepo } from '../common/repos/links';
import { merchantRepo } from '../common/repos/merchants';
import { orderRepo } from '../common/repos/orders';
import { storefrontRepo } from '../common/repos/storefronts';

const configTable = requireEnv('CONFIG_TABLE_NAME');
const publicBaseUrl = new URL(requireEnv('PUBLIC_BASE_URL'));

export const admin = {
  merchants: merchantRepo(configTable),
  influencers: influencerRepo(configTable),
  links: linkRepo(configTable),
  enrollments: enrollmentRepo(configTable),
  endpoints: endpointRepo(configTable),
  deliveries: deliveryRepo(requireEnv('DELIVERIES_TABLE_NAME')),
  deliveriesQueueUrl: requireEnv('DELIVERIES_QUEUE_URL'),
  apiKeys: apiKeyRepo(configTable),
  clicks: clickRepo(requireEnv('CLICKS_TABLE_NAME')),
  orders: orderRepo(requireEnv('ORDERS_TABLE_NAME')),
  storefronts: storefrontRepo(configTable),
  /** Where short links are served, e.g. `https://go.example.com`. */
  publicBaseUrl: publicBaseUrl.toString().replace(/\/$/, ''),
  ownHost: publicBaseUrl.hostname,
  now: () => new Date(),
};
