/**
 * Consumer of the orders queue. Each message is one accepted order event; the batch is processed
 * with partial failures, so one bad message is retried (and, after 5 receives, moved to the
 * dead-letter queue) without holding back the others.
 */
import { requireEnv } from '../common/config/env';
import { sqsBatchHandler } from '../common/queue/batch';
import { clickRepo } from '../common/repos/clicks';
import { enrollmentRepo } from '../common/repos/enrollments';
import { influencerRepo } from '../common/repos/influencers';
import { type Merchant, merchantRepo } from '../common/repos/merchants';
import { orderRepo } from '../common/repos/orders';
import { type OrderMessage, orderMessageSchema } from '../common/schemas/messages';
import { TtlCache } from '../common/ttl-cache';
import { influencerTerms } from './influencer-terms';
import { type Dependencies, processOrderEvent } from './process-order-event';

const configTable = requireEnv('CONFIG_TABLE_NAME');
const merchants = merchantRepo(configTable);
/** Merchant settings change rarely; a minute of caching saves a read per order. */
const merchantCache = new TtlCache<Merchant | undefined>(60_000);

const deps: Dependencies = {
  orders: orderRepo(requireEnv('ORDERS_TABLE_NAME')),
  clicks: clickRepo(requireEnv('CLICKS_TABLE_NAME')),
  influencers: influencerRepo(configTable),
  terms: influencerTerms(enrollmentRepo(configTable), configTable),
  merchant: (merchantId) => merchantCache.get(merchantId, (id) => merchants.get(id)),
  inboxTable: requireEnv('WEBHOOK_INBOX_TABLE_NAME'),
  now: () => new Date(),
  knownPayees: new Set(),
};

/**
 * Records of a batch are processed concurrently, so the order's ids travel in the error (which the
 * batch wrapper logs with the record's message id), never as keys appended to the shared logger,
 * where one record's keys would show on another's lines.
 */
async function handleMessage(message: OrderMessage): Promise<void> {
  try {
    await processOrderEvent(deps, message);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `Order ${message.merchantId}/${message.event.orderId} (webhook ${message.webhookId}): ${reason}`,
      { cause: err },
    );
  }
}

export const handler = sqsBatchHandler(orderMessageSchema, handleMessage);
