/**
 * The deliveries table: one item per (endpoint, event), `pk = endpointId`, `sk = eventId` (CONTRACT
 * §12). It holds the exact body every attempt sends, the attempt count, and the delivery's state:
 * `pending` (with `dueAt`, when the next attempt is due), `delivered` or `failed`.
 *
 * - Event ids start with their time, so one Query on an endpoint, descending, is its delivery log.
 * - Only a pending delivery carries `dueShard`, which puts it in the sparse `due` index sorted by
 *   `dueAt`: the redrive finds there what is overdue (a lost queue message), and nothing else.
 * - An attempt is claimed before it is sent (`leaseUntil`, a conditional update on the attempt
 *   count), so of several messages for the same attempt (a redriven one and its original, retries
 *   asked for twice) one sends it; and recorded with a condition on the count it started from.
 * - `expiresAt` (TTL, epoch seconds) removes a delivery 30 days after its event.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import { EVENT_TYPES } from '../domain/events';
import * as z from '../schemas/zod';
import { isConditionFailure } from './errors';
import { entity, queryAll } from './items';

/** How long a delivery is kept after its event, for the log. */
export const DELIVERY_RETENTION_DAYS = 30;
/** The `due` index's one partition: pending deliveries are few (each is delivered or retried). */
const DUE_SHARD = 'DUE';

const deliverySchema = z.object({
  endpointId: z.string(),
  eventId: z.string(),
  type: z.enum(EVENT_TYPES),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.int(),
  /** The JSON body, byte for byte what every attempt posts. */
  body: z.string(),
  createdAt: z.string(),
  dueAt: z.optional(z.string()),
  lastStatusCode: z.optional(z.int()),
  lastAttemptAt: z.optional(z.string()),
  /** Why the last attempt failed, for the operator (never sent to the subscriber). */
  lastError: z.optional(z.string()),
});
export type Delivery = z.output<typeof deliverySchema>;

const delivery = entity({
  itemType: 'delivery',
  keyAttributes: ['endpointId', 'eventId', 'dueShard'],
  schema: deliverySchema,
});

export type ClaimResult = { kind: 'claimed' } | { kind: 'moved' } | { kind: 'held'; heldUntil: Date };

export interface AttemptOutcome {
  at: Date;
  statusCode?: number;
  error?: string;
  /** delivered; pending again, due at `dueAt`; or failed for good. */
  next: { status: 'delivered' } | { status: 'pending'; dueAt: Date } | { status: 'failed' };
}

export function deliveryRepo(tableName: string) {
  const key = (endpointId: string, eventId: string) => ({ endpointId, eventId });

  return {
    /**
     * The delivery of an event to an endpoint, due now; a delivery that exists already is kept as
     * it is (the same change read again). True when it was made by this call.
     */
    async createIfAbsent(
      value: Pick<Delivery, 'endpointId' | 'eventId' | 'type' | 'body'>,
      now: Date,
    ): Promise<boolean> {
      const at = now.toISOString();
      try {
        await dynamo().send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...delivery.toItem(key(value.endpointId, value.eventId), {
                ...value,
                status: 'pending',
                attempts: 0,
                createdAt: at,
                dueAt: at,
              }),
              dueShard: DUE_SHARD,
              expiresAt: Math.ceil(now.getTime() / 1000) + DELIVERY_RETENTION_DAYS * 86_400,
            },
            ConditionExpression: 'attribute_not_exists(eventId)',
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },

    async get(endpointId: string, eventId: string): Promise<Delivery | undefined> {
      const out = await dynamo().send(
        new GetCommand({ TableName: tableName, Key: key(endpointId, eventId), ConsistentRead: true }),
      );
      return out.Item ? delivery.fromItem(tableName, out.Item) : undefined;
    },

    /** An endpoint's deliveries, newest first, a page at a time. */
    async page(
      endpointId: string,
      limit: number,
      before?: string,
    ): Promise<{ items: Delivery[]; next?: string }> {
      const out = await dynamo().send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: before ? 'endpointId = :e AND eventId < :before' : 'endpointId = :e',
          ExpressionAttributeValues: { ':e': endpointId, ...(before ? { ':before': before } : {}) },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      const items = (out.Items ?? []).map((item) => delivery.fromItem(tableName, item));
      const last = items[items.length - 1];
      return { items, ...(out.LastEvaluatedKey && last ? { next: last.eventId } : {}) };
    },

    /**
     * Claims the attempt that starts from `current.attempts` until `until`. `moved`: the delivery
     * went on without this message (recorded, or no longer pending); `held`: another worker holds
     * the attempt until `heldUntil` (it may yet die, so the caller tries again after that).
     */
    async claim(current: Delivery, now: Date, until: Date): Promise<ClaimResult> {
      try {
        await dynamo().send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(current.endpointId, current.eventId),
            UpdateExpression: 'SET leaseUntil = :until',
            ConditionExpression:
              'attempts = :expected AND #status = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':expected': current.attempts,
              ':pending': 'pending',
              ':now': now.toISOString(),
              ':until': until.toISOString(),
            },
          }),
        );
        return { kind: 'claimed' };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
      const out = await dynamo().send(
        new GetCommand({
          TableName: tableName,
          Key: key(current.endpointId, current.eventId),
          ConsistentRead: true,
        }),
      );
      const item = out.Item;
      if (item?.status !== 'pending' || item.attempts !== current.attempts) return { kind: 'moved' };
      const heldUntil = typeof item.leaseUntil === 'string' ? new Date(item.leaseUntil) : now;
      return { kind: 'held', heldUntil };
    },

    /**
     * Records the attempt that started from `attempts`: one more attempt, its answer, and what
     * comes next. False when another worker recorded that attempt first (nothing is written).
     */
    async recordAttempt(current: Delivery, outcome: AttemptOutcome): Promise<boolean> {
      const sets = ['attempts = :next', '#status = :status', 'lastAttemptAt = :at'];
      // The attempt is over: its claim with it.
      const removes: string[] = ['leaseUntil'];
      const values: Record<string, unknown> = {
        ':expected': current.attempts,
        ':next': current.attempts + 1,
        ':status': outcome.next.status,
        ':at': outcome.at.toISOString(),
        ':pending': 'pending',
      };
      if (outcome.next.status === 'pending') {
        sets.push('dueAt = :due', 'dueShard = :shard');
        values[':due'] = outcome.next.dueAt.toISOString();
        values[':shard'] = DUE_SHARD;
      } else removes.push('dueAt', 'dueShard');
      if (outcome.statusCode !== undefined) {
        sets.push('lastStatusCode = :code');
        values[':code'] = outcome.statusCode;
      } else removes.push('lastStatusCode');
      if (outcome.error !== undefined) {
        sets.push('lastError = :error');
        values[':error'] = outcome.error.slice(0, 500);
      } else removes.push('lastError');
      try {
        await dynamo().send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(current.endpointId, current.eventId),
            UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
            ConditionExpression: 'attempts = :expected AND #status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },

    /**
     * A retry asked for by hand: the delivery is pending again and due now, whatever it was (a
     * delivered event may be sent again: its id is the same, so the subscriber can tell). The
     * delivery as it now is, or undefined when there is none.
     */
    async reopen(endpointId: string, eventId: string, now: Date): Promise<Delivery | undefined> {
      try {
        const out = await dynamo().send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(endpointId, eventId),
            UpdateExpression: 'SET #status = :pending, dueAt = :now, dueShard = :shard',
            ConditionExpression: 'attribute_exists(eventId)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':pending': 'pending',
              ':now': now.toISOString(),
              ':shard': DUE_SHARD,
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return out.Attributes ? delivery.fromItem(tableName, out.Attributes) : undefined;
      } catch (err) {
        if (isConditionFailure(err)) return undefined;
        throw err;
      }
    },

    /** Pending deliveries due before `before`, oldest first (the `due` index). */
    async *dueBefore(before: Date): AsyncGenerator<Delivery> {
      for await (const item of queryAll({
        TableName: tableName,
        IndexName: 'due',
        KeyConditionExpression: 'dueShard = :shard AND dueAt < :before',
        ExpressionAttributeValues: { ':shard': DUE_SHARD, ':before': before.toISOString() },
      }))
        yield delivery.fromItem(tableName, item);
    },
  };
}
export type DeliveryRepo = ReturnType<typeof deliveryRepo>;
