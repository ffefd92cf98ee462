/**
 * Consumer of the deliveries queue (partial batch failures): one message is one attempt of one
 * delivery of an event to an endpoint. Thin: the attempt and its retry schedule are in ./deliver.ts.
 */
import { optionalEnv, requireEnv, stage } from '../common/config/env';
import { RETRY_DELAYS_SECONDS } from '../common/domain/events';
import { safePost } from '../common/net/safe-post';
import { sqsBatchHandler } from '../common/queue/batch';
import { enqueueDelivery } from '../common/queue/deliveries-queue';
import { deliveryRepo } from '../common/repos/deliveries';
import { endpointRepo } from '../common/repos/endpoints';
import { deliveryMessageSchema } from '../common/schemas/messages';
import { attemptDelivery, type DeliverDeps } from './deliver';

const queueUrl = requireEnv('DELIVERIES_QUEUE_URL');

/**
 * `DELIVERY_RETRY_DELAYS_SECONDS` (comma-separated) replaces the schedule where waiting hours is no
 * use, such as a local demonstration; deployed, the contract's schedule applies.
 */
function retryDelays(): readonly number[] {
  const configured = optionalEnv('DELIVERY_RETRY_DELAYS_SECONDS');
  if (!configured) return RETRY_DELAYS_SECONDS;
  const delays = configured.split(',').map((part) => Number(part.trim()));
  if (delays.length === 0 || delays.some((d) => !Number.isInteger(d) || d < 0))
    throw new Error('DELIVERY_RETRY_DELAYS_SECONDS must be comma-separated whole seconds.');
  return delays;
}

const deps: DeliverDeps = {
  deliveries: deliveryRepo(requireEnv('DELIVERIES_TABLE_NAME')),
  endpoints: endpointRepo(requireEnv('CONFIG_TABLE_NAME')),
  post: safePost,
  enqueue: (message, delaySeconds) => enqueueDelivery(queueUrl, message, delaySeconds),
  retryDelaysSeconds: retryDelays(),
  allowLocal: stage() === 'local',
  now: () => new Date(),
};

export const handler = sqsBatchHandler(deliveryMessageSchema, async (message) => {
  await attemptDelivery(deps, message);
});
