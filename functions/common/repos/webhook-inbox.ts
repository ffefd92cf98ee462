/**
 * The webhook inbox (and outbox): one item per accepted webhook, `pk = WEBHOOK#<merchant>#<id>`.
 * Written before the 202, it makes a repeated `webhook-id` a duplicate, and until the attribution
 * worker marks it processed it sits in the sparse `pending` index, from which the redrive re-queues
 * anything the queue lost. Processed items expire 7 days after receipt (senders retry for ~3 days).
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import { type OrderMessage, orderMessageSchema } from '../schemas/messages';
import * as z from '../schemas/zod';
import { isConditionFailure } from './errors';
import { entity, queryAll } from './items';

/** The inbox item as read back; `message` is what the queue carries, kept to send again. */
export interface InboxItem {
  merchantId: string;
  webhookId: string;
  receivedAt: string;
  message: OrderMessage;
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

/** The message is stored as the JSON the queue carried, and parsed with the queue's own schema. */
const storedMessage = z.pipe(
  z.string(),
  z.transform((text: string, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.issues.push({ code: 'custom', input: text, message: 'The stored message is not JSON.' });
      return z.NEVER;
    }
  }),
);

const webhookEntity = entity({
  itemType: 'webhook',
  keyAttributes: ['pk'],
  schema: z.pipe(
    z.object({
      merchantId: z.string(),
      webhookId: z.string(),
      receivedAt: z.string(),
      message: z.pipe(storedMessage, orderMessageSchema),
      pendingShard: z.optional(z.literal(PENDING)),
      redrives: z._default(z.int().check(z.minimum(0)), 0),
      lastRedriveAt: z.optional(z.string()),
    }),
    z.transform(
      ({
        pendingShard,
        lastRedriveAt,
        ...item
      }: {
        merchantId: string;
        webhookId: string;
        receivedAt: string;
        message: OrderMessage;
        pendingShard?: typeof PENDING;
        redrives: number;
        lastRedriveAt?: string;
      }): InboxItem => ({
        ...item,
        pending: pendingShard !== undefined,
        ...(lastRedriveAt === undefined ? {} : { lastRedriveAt }),
      }),
    ),
  ),
});

/** The inbox item of a new webhook, for the ingest transaction (conditional: new ids only). */
export function newInboxPut(tableName: string, message: OrderMessage) {
  return {
    Put: {
      TableName: tableName,
      Item: webhookEntity.toItem(inboxKey(message.merchantId, message.webhookId), {
        merchantId: message.merchantId,
        webhookId: message.webhookId,
        receivedAt: message.receivedAt,
        orderId: message.event.orderId,
        eventType: message.event.type,
        message: JSON.stringify(message),
        pendingShard: PENDING,
        redrives: 0,
      }),
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
      return out.Item ? webhookEntity.fromItem(tableName, out.Item) : undefined;
    },

    /** Pending webhooks received before `receivedBefore`, oldest first, a page at a time. */
    async *pending(receivedBefore: string): AsyncGenerator<InboxItem> {
      const items = queryAll({
        TableName: tableName,
        IndexName: 'pending',
        KeyConditionExpression: 'pendingShard = :p AND receivedAt < :before',
        ExpressionAttributeValues: { ':p': PENDING, ':before': receivedBefore },
      });
      for await (const item of items) yield webhookEntity.fromItem(tableName, item);
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
