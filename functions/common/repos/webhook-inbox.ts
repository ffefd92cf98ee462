/**
 * The webhook inbox (and outbox): one item per accepted webhook, `pk = WEBHOOK#<merchant>#<id>`.
 * Written before the 202, it makes a repeated `webhook-id` a duplicate, and until the attribution
 * worker marks it processed it sits in the sparse `pending` index, from which the redrive re-queues
 * anything the queue lost. Processed items expire 7 days after receipt (senders retry for ~3 days).
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import type { OrderEvent } from '../schemas/webhooks';
import { isConditionFailure } from './errors';

/** What travels on the orders queue, and what the inbox keeps to send again. */
export interface OrderMessage {
  merchantId: string;
  webhookId: string;
  receivedAt: string;
  event: OrderEvent;
}

export interface InboxItem {
  merchantId: string;
  webhookId: string;
  receivedAt: string;
  message: string;
  pending: boolean;
  redrives: number;
  lastRedriveAt?: string;
}

/** A processed webhook-id is remembered this long: well past the senders' ~3 days of retries. */
export const DEDUP_RETENTION_DAYS = 7;
const PENDING = 'P';

export const inboxKey = (merchantId: string, webhookId: string) => ({
  pk: `WEBHOOK#${merchantId}#${webhookId}`,
});

/** The inbox item of a new webhook, for the ingest transaction (conditional: new ids only). */
export function newInboxPut(tableName: string, message: OrderMessage) {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...inboxKey(message.merchantId, message.webhookId),
        merchantId: message.merchantId,
        webhookId: message.webhookId,
        receivedAt: message.receivedAt,
        orderId: message.event.orderId,
        eventType: message.event.type,
        message: JSON.stringify(message),
        pendingShard: PENDING,
        redrives: 0,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Marks a webhook processed, for the worker's transaction: out of the pending index, TTL set. */
export function processedUpdate(tableName: string, message: OrderMessage, at: string) {
  const expiresAt = Math.floor(Date.parse(message.receivedAt) / 1000) + DEDUP_RETENTION_DAYS * 86_400;
  return {
    Update: {
      TableName: tableName,
      Key: inboxKey(message.merchantId, message.webhookId),
      UpdateExpression:
        'REMOVE pendingShard SET processedAt = if_not_exists(processedAt, :at), expiresAt = :exp',
      ExpressionAttributeValues: { ':at': at, ':exp': expiresAt },
    },
  };
}

export function inboxRepo(tableName: string) {
  return {
    async get(merchantId: string, webhookId: string): Promise<InboxItem | undefined> {
      const out = await dynamo().send(
        new GetCommand({ TableName: tableName, Key: inboxKey(merchantId, webhookId), ConsistentRead: true }),
      );
      if (!out.Item) return undefined;
      return toInboxItem(out.Item);
    },

    /** Pending webhooks received before `receivedBefore`, oldest first, a page at a time. */
    async *pending(receivedBefore: string): AsyncGenerator<InboxItem> {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await dynamo().send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'pending',
            KeyConditionExpression: 'pendingShard = :p AND receivedAt < :before',
            ExpressionAttributeValues: { ':p': PENDING, ':before': receivedBefore },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of out.Items ?? []) yield toInboxItem(item);
        start = out.LastEvaluatedKey;
      } while (start);
    },

    /** Records a redrive; false if the item was processed (or redriven) meanwhile. */
    async recordRedrive(item: InboxItem, at: string): Promise<boolean> {
      try {
        await dynamo().send(
          new UpdateCommand({
            TableName: tableName,
            Key: inboxKey(item.merchantId, item.webhookId),
            UpdateExpression: 'SET redrives = :next, lastRedriveAt = :at',
            ConditionExpression: 'attribute_exists(pendingShard) AND redrives = :current',
            ExpressionAttributeValues: { ':next': item.redrives + 1, ':current': item.redrives, ':at': at },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },
  };
}
export type InboxRepo = ReturnType<typeof inboxRepo>;

function toInboxItem(item: Record<string, unknown>): InboxItem {
  return {
    merchantId: String(item.merchantId),
    webhookId: String(item.webhookId),
    receivedAt: String(item.receivedAt),
    message: String(item.message),
    pending: item.pendingShard !== undefined,
    redrives: Number(item.redrives ?? 0),
    ...(typeof item.lastRedriveAt === 'string' ? { lastRedriveAt: item.lastRedriveAt } : {}),
  };
}
