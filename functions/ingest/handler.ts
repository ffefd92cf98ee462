/**
 * POST /webhooks/{merchantId}/orders (CONTRACT §4). In this order: body size (413), signature on
 * the raw bytes (401, before anything is parsed), body (400). Then the event is kept durably — the
 * inbox item (its webhook-id unique) and, for a new order, the order's "pending" record, in one
 * transaction — and queued for the attribution worker. A 202 therefore cannot be lost: if the queue
 * loses the message, the outbox redrive sends it again from the inbox.
 */

import { requireEnv } from '../common/config/env';
import { liveWebhookSecrets } from '../common/crypto/webhook-secrets';
import { orderAmountMinor } from '../common/domain/commission';
import { ID_PATTERN } from '../common/domain/ids';
import { verifySignature } from '../common/domain/webhook-signature';
import { httpHandler } from '../common/http/handler';
import { assertBodySize, header, parseJsonBuffer, rawBody } from '../common/http/request';
import { error, HttpError, json } from '../common/http/responses';
import { logger } from '../common/logger';
import { addMetric } from '../common/metrics';
import { BusinessMetric } from '../common/observability';
import { enqueueOrderMessage } from '../common/queue/orders-queue';
import { type Merchant, merchantRepo } from '../common/repos/merchants';
import { orderRepo, transact } from '../common/repos/orders';
import { inboxRepo, newInboxPut, type OrderMessage } from '../common/repos/webhook-inbox';
import { orderEventSchema } from '../common/schemas/webhooks';
import { TtlCache } from '../common/ttl-cache';

const merchants = merchantRepo(requireEnv('CONFIG_TABLE_NAME'));
const orders = orderRepo(requireEnv('ORDERS_TABLE_NAME'));
const inboxTable = requireEnv('WEBHOOK_INBOX_TABLE_NAME');
const inbox = inboxRepo(inboxTable);
const queueUrl = requireEnv('ORDERS_QUEUE_URL');
/**
 * Merchant settings and sealed secrets, kept a minute so an accepted webhook costs one DynamoDB call
 * (its transaction). A signature that does not verify against the cached secrets is checked again
 * on a fresh read, so a rotation takes effect at once. Expiry of rotated secrets is decided per
 * request, from the cached item.
 */
const merchantCache = new TtlCache<Merchant | undefined>(60_000);
const readMerchant = (id: string) => merchants.get(id);

export const handler = httpHandler(async (event) => {
  const body = rawBody(event);
  countingRejection(() => assertBodySize(body));

  // An unknown merchant is answered exactly like a wrong signature.
  const merchantId = event.pathParameters?.merchantId ?? '';
  const now = new Date();
  const headers = {
    'webhook-id': header(event, 'webhook-id'),
    'webhook-timestamp': header(event, 'webhook-timestamp'),
    'webhook-signature': header(event, 'webhook-signature'),
  };
  const verify = async (merchant: Merchant | undefined) =>
    merchant ? verifySignature(body, headers, await liveWebhookSecrets(merchant, now)) : undefined;

  let merchant = ID_PATTERN.test(merchantId) ? await merchantCache.get(merchantId, readMerchant) : undefined;
  let webhookId = await verify(merchant);
  if (!webhookId && ID_PATTERN.test(merchantId)) {
    // The cached settings may predate a rotation (or the merchant's creation): read them again.
    merchantCache.delete(merchantId);
    merchant = await merchantCache.get(merchantId, readMerchant);
    webhookId = await verify(merchant);
  }
  if (!merchant || !webhookId) {
    addMetric(BusinessMetric.WebhooksRejected, { dimensions: { reason: 'invalid_signature' } });
    return error(401, 'invalid_signature', 'The webhook signature is missing, wrong or too old.');
  }

  const orderEvent = countingRejection(() => parseJsonBuffer(body, orderEventSchema));
  const message: OrderMessage = { merchantId, webhookId, receivedAt: now.toISOString(), event: orderEvent };
  const accepted = await transact([
    newInboxPut(inboxTable, message),
    ...(orderEvent.type === 'order.created'
      ? [
          orders.acceptedStub({
            merchantId,
            orderId: orderEvent.orderId,
            currency: orderEvent.currency,
            occurredAt: orderEvent.occurredAt,
            amountMinor: orderAmountMinor(orderEvent.lines),
          }),
        ]
      : []),
  ]);

  if (!accepted) {
    // Seen before. If it is still waiting to be processed, queue it again: the sender is retrying,
    // perhaps because our first answer was lost, and processing is idempotent.
    const seen = await inbox.get(merchantId, webhookId);
    if (seen?.pending) await enqueueOrderMessage(queueUrl, seen.message);
    addMetric(BusinessMetric.WebhooksDuplicate);
    return json(202, { status: 'duplicate', webhookId });
  }

  await enqueueOrderMessage(queueUrl, message);
  addMetric(BusinessMetric.WebhooksAccepted);
  logger.info('Order event accepted', {
    merchantId,
    webhookId,
    type: orderEvent.type,
    orderId: orderEvent.orderId,
  });
  return json(202, { status: 'accepted', webhookId });
});

/** Runs a check of the request; a refusal it throws (payload_too_large, invalid_body) is counted by its code. */
function countingRejection<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof HttpError)
      addMetric(BusinessMetric.WebhooksRejected, { dimensions: { reason: err.code } });
    throw err;
  }
}
