/**
 * Consumer of the orders queue. Each message is one accepted order event; the batch is processed
 * with partial failures, so one bad message is retried (and, after 5 receives, moved to the
 * dead-letter queue) without holding back the others.
 */
import { requireEnv } from '../common/config/env';
import { logger } from '../common/logger';
import { sqsBatchHandler } from '../common/queue/batch';
import { clickRepo } from '../common/repos/clicks';
import { influencerRepo } from '../common/repos/influencers';
import { type Merchant, merchantRepo } from '../common/repos/merchants';
import { orderRepo } from '../common/repos/orders';
import { type OrderMessage, orderMessageSchema } from '../common/schemas/messages';
import { TtlCache } from '../common/ttl-cache';
import { type Dependencies, processOrderEvent } from './process-order-event';

const configTable = requireEnv('CONFIG_TABLE_NAME');
const merchants = merchantRepo(configTable);
/** Merchant settings change rarely; a minute of caching saves a read per order. */
const merchantCache = new TtlCache<Merchant | undefined>(60_000);

const deps: Dependencies = {
  orders: orderRepo(requireEnv('ORDERS_TABLE_NAME')),
  clicks: clickRepo(requireEnv('CLICKS_TABLE_NAME')),
  influencers: influencerRepo(configTable),
  merchant: (merchantId) => merchantCache.get(merchantId, (id) => merchants.get(id)),
  inboxTable: requireEnv('WEBHOOK_INBOX_TABLE_NAME'),
  now: () => new Date(),
  knownPayees: new Set(),
};

async function handleMessage(message: OrderMessage): Promise<void> {
  logger.appendKeys({
    merchantId: message.merchantId,
    orderId: message.event.orderId,
    webhookId: message.webhookId,
  });
  try {
    await processOrderEvent(deps, message);
  } finally {
    logger.removeKeys(['merchantId', 'orderId', 'webhookId']);
  }
}

export const handler = sqsBatchHandler(orderMessageSchema, handleMessage);
