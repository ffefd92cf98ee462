/**
 * Consumer of the orders queue. Each message is one accepted order event; the batch is processed
 * with partial failures, so one bad message is retried (and, after 5 receives, moved to the
 * dead-letter queue) without holding back the others.
 */
import type { SQSRecord } from 'aws-lambda';
import { requireEnv } from '../common/config/env';
import { logger } from '../common/logger';
import { sqsBatchHandler } from '../common/queue/batch';
import { clickRepo } from '../common/repos/clicks';
import { influencerRepo } from '../common/repos/influencers';
import { type Merchant, merchantRepo } from '../common/repos/merchants';
import { orderRepo } from '../common/repos/orders';
import type { OrderMessage } from '../common/repos/webhook-inbox';
import { orderEventSchema } from '../common/schemas/webhooks';
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

/** The message as the ingest function wrote it; anything else is a poison message. */
export function parseOrderMessage(body: string): OrderMessage {
  const raw = JSON.parse(body) as Partial<OrderMessage>;
  if (
    typeof raw.merchantId !== 'string' ||
    typeof raw.webhookId !== 'string' ||
    typeof raw.receivedAt !== 'string'
  ) {
    throw new Error('Malformed order message: merchantId, webhookId and receivedAt are required.');
  }
  return {
    merchantId: raw.merchantId,
    webhookId: raw.webhookId,
    receivedAt: raw.receivedAt,
    event: orderEventSchema.parse(raw.event),
  };
}

async function handleRecord(record: SQSRecord): Promise<void> {
  const message = parseOrderMessage(record.body);
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

export const handler = sqsBatchHandler(handleRecord);
