/**
 * POST /webhooks/{merchantId}/orders (CONTRACT §4). In this order: body size (413), signature on
 * the raw bytes (401, before anything is parsed), body (400). Then the event is kept durably — the
 * inbox item (its webhook-id unique) and, for a new order, the order's "pending" record, in one
 * transaction — and queued for the attribution worker. A 202 therefore cannot be lost: if the queue
 * loses the message, the outbox redrive sends it again from the inbox.
 */

import { requireEnv } from '../common/config/env';
import {
  liveOpenedSecrets,
  newWebhookSecret,
  type OpenedSecret,
  openWebhookSecrets,
} from '../common/crypto/webhook-secrets';
import { orderAmountMinor } from '../common/domain/commission';
import { verifySignature } from '../common/domain/webhook-signature';
import { routeHandler } from '../common/http/adapter';
import { header } from '../common/http/request';
import { apiError, json } from '../common/http/responses';
import { logger } from '../common/logger';
import { addMetric } from '../common/metrics';
import { BusinessMetric } from '../common/observability';
import { enqueueOrderMessage } from '../common/queue/orders-queue';
import { type Merchant, merchantRepo } from '../common/repos/merchants';
import { orderRepo, transact } from '../common/repos/orders';
import { inboxRepo, newInboxPut } from '../common/repos/webhook-inbox';
import type { OrderMessage } from '../common/schemas/messages';
import { TtlCache } from '../common/ttl-cache';
import { ingestRoutes } from './routes';

const merchants = merchantRepo(requireEnv('CONFIG_TABLE_NAME'));
const orders = orderRepo(requireEnv('ORDERS_TABLE_NAME'));
const inboxTable = requireEnv('WEBHOOK_INBOX_TABLE_NAME');
const inbox = inboxRepo(inboxTable);
const queueUrl = requireEnv('ORDERS_QUEUE_URL');
/**
 * Merchant settings and secrets, kept a minute so an accepted webhook costs one DynamoDB call (its
 * transaction) and no unsealing: the secrets are opened once per read, not per request. A signature
 * that does not verify against the cached secrets is checked again on a fresh read, so a rotation
 * (or a merchant created meanwhile) takes effect at once, but at most once per
 * REREAD_AFTER_FAILURE_MS per merchant id: a flood of bad signatures must not turn into a flood of
 * reads. Expiry of rotated secrets is decided per request, from the cached item.
 */
interface KnownSecrets {
  /** Undefined for an unknown merchant id, whose `secrets` are then the stand-in's. */
  merchant: Merchant | undefined;
  secrets: OpenedSecret[];
}
const merchantCache = new TtlCache<KnownSecrets>(60_000);
const readMerchant = async (id: string): Promise<KnownSecrets> => {
  const merchant = await merchants.get(id);
  // An unknown merchant's read opens the stand-in's secret, as a known one's opens its own.
  return { merchant, secrets: await openWebhookSecrets(merchant ?? (await standInMerchant())) };
};
export const REREAD_AFTER_FAILURE_MS = 5_000;
const lastReread = new Map<string, number>();
const MAX_REREAD_ENTRIES = 10_000;

/** Whether a failed signature for this merchant id may read the merchant again now. */
function mayReread(merchantId: string, now: number): boolean {
  const last = lastReread.get(merchantId);
  if (last !== undefined && now - last < REREAD_AFTER_FAILURE_MS) return false;
  lastReread.delete(merchantId);
  if (lastReread.size >= MAX_REREAD_ENTRIES) {
    // Map keeps insertion order: the oldest entry goes first.
    const oldest = lastReread.keys().next();
    if (!oldest.done) lastReread.delete(oldest.value);
  }
  lastReread.set(merchantId, now);
  return true;
}

/**
 * Stands in for an unknown merchant: one sealed secret nobody knows, unsealed and HMAC'd exactly as
 * a real merchant's one live secret is, so an unknown merchant costs what a known one costs and the
 * answer time does not tell which merchant ids exist.
 */
let unknownMerchant: Promise<Pick<Merchant, 'merchantId' | 'webhookSecrets'>> | undefined;
function standInMerchant() {
  unknownMerchant ??= newWebhookSecret('unknown', new Date(0).toISOString()).then(({ sealed }) => ({
    merchantId: 'unknown',
    webhookSecrets: [sealed],
  }));
  unknownMerchant.catch(() => {
    unknownMerchant = undefined;
  });
  return unknownMerchant;
}

export const handler = routeHandler(ingestRoutes, {
  // The adapter has checked the size (413) and the merchant id's shape (a malformed one, which no
  // merchant can have, is a 401 like any unknown merchant); the body is parsed only once its
  // signature has verified. An unknown merchant is answered exactly like a wrong signature, after
  // the same work.
  receiveOrderWebhook: async ({ params: { merchantId }, rawBody: body, body: parseBody, event }) => {
    const now = new Date();
    const headers = {
      'webhook-id': header(event, 'webhook-id'),
      'webhook-timestamp': header(event, 'webhook-timestamp'),
      'webhook-signature': header(event, 'webhook-signature'),
    };
    const verify = ({ merchant, secrets }: KnownSecrets) => {
      const verified = verifySignature(body, headers, liveOpenedSecrets(secrets, now), now);
      return merchant ? verified : undefined;
    };

    // A merchant read by this very request is fresh: reading it again could not change the answer.
    let readNow = false;
    const load = (id: string) => {
      readNow = true;
      return readMerchant(id);
    };
    let known = await merchantCache.get(merchantId, load);
    let webhookId = verify(known);
    if (!webhookId && !readNow && mayReread(merchantId, now.getTime())) {
      // The cached settings may predate a rotation (or the merchant's creation): read them again.
      merchantCache.delete(merchantId);
      known = await merchantCache.get(merchantId, readMerchant);
      webhookId = verify(known);
    }
    const { merchant } = known;
    if (!merchant || !webhookId) throw apiError('invalid_signature');

    const orderEvent = parseBody();
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
  },
});
