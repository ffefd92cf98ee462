/**
 * The orders table: one partition per order, `pk = ORDER#<merchantId>#<orderId>`, holding
 *   sk = ROOT                         the order: its lines and rates as received, its attribution
 *                                     (decided once), current amounts, and a version for
 *                                     optimistic locking of every change to the partition;
 *   sk = EVENT#<webhookId>            each refund or cancellation, kept even before the order;
 *   sk = CREDIT#<influencerId>        what the order owes an influencer, unpaid or paid;
 *   sk = ADJ#<influencerId>#<eventId> a clawback of a paid credit, dated by its refund.
 * Unpaid credits and adjustments carry `unpaidFor` (the influencer) and `eligibleAt`, which put them
 * in the sparse `unpaidByInfluencer` index that payouts read; once paid they carry `payoutId`, which
 * puts them in the `byPayout` index that statements read. `PAYEE#<influencerId>` markers (index
 * `payees`, sharded) list every influencer ever credited, so a payout run finds its work without a Scan.
 */
import {
  BatchGetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import type { AttributionShare, UnattributedReason } from '../domain/attribution';
import type { AttributionModel } from '../domain/attribution-models';
import type { CommissionRates, OrderLine, RefundLine } from '../domain/commission';
import { isConditionFailure } from './errors';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface OrderRoot {
  merchantId: string;
  orderId: string;
  /** Absent until the first change by the worker. */
  version?: number;
  /** Absent when only refunds have arrived (the order itself was never accepted). */
  status?: 'pending' | 'credited' | 'unattributed';
  currency?: string;
  occurredAt?: string;
  /** As received; kept so that refunds can be applied whenever they come. */
  lines?: OrderLine[];
  rates?: CommissionRates;
  holdDays?: number;
  clickId?: string;
  couponCode?: string;
  method?: AttributionModel | 'coupon';
  shares?: AttributionShare[];
  unattributedReason?: UnattributedReason;
  originalAmountMinor?: number;
  /** After refunds. */
  amountMinor?: number;
  commissionMinor?: number;
}

export interface StoredRefund {
  eventId: string;
  type: 'order.refunded' | 'order.cancelled';
  occurredAt: string;
  lines: RefundLine[] | 'all';
}

export interface StoredCredit {
  merchantId: string;
  orderId: string;
  influencerId: string;
  currency: string;
  amountMinor: number;
  weightBps: number;
  clickId?: string;
  method: AttributionModel | 'coupon';
  clickAgeMs?: number;
  clickIds: string[];
  occurredAt: string;
  eligibleAt: string;
  status: 'unpaid' | 'paid';
  payoutId?: string;
  version: number;
}

export interface StoredAdjustment {
  merchantId: string;
  orderId: string;
  influencerId: string;
  currency: string;
  eventId: string;
  amountMinor: number;
  /** The refund's time: a clawback is dated by it. */
  occurredAt: string;
  /** The order's own time, for statements. */
  orderOccurredAt: string;
  eligibleAt: string;
  status: 'unpaid' | 'paid';
  payoutId?: string;
}

export interface OrderPartition {
  root?: OrderRoot;
  refunds: StoredRefund[];
  credits: StoredCredit[];
  adjustments: StoredAdjustment[];
}

export const orderPk = (merchantId: string, orderId: string) => `ORDER#${merchantId}#${orderId}`;
const ROOT = 'ROOT';
const STRIP = new Set(['pk', 'sk', 'entity', 'unpaidFor', 'payoutSort']);
const strip = (item: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !STRIP.has(k)));

/** An unpaid credit or adjustment as the `unpaidByInfluencer` index returns it. */
export interface UnpaidItem {
  pk: string;
  sk: string;
  merchantId: string;
  orderId: string;
  influencerId: string;
  currency: string;
  amountMinor: number;
  eligibleAt: string;
  /** The order's time (for an adjustment, the time of the order it corrects). */
  orderOccurredAt: string;
  kind: 'credit' | 'adjustment';
}

/** A credit or adjustment as payouts see it (from either payout index). */
function toPayableItem(item: Record<string, unknown>): UnpaidItem {
  return {
    pk: String(item.pk),
    sk: String(item.sk),
    merchantId: String(item.merchantId),
    orderId: String(item.orderId),
    influencerId: String(item.influencerId),
    currency: String(item.currency),
    amountMinor: Number(item.amountMinor),
    eligibleAt: String(item.eligibleAt),
    orderOccurredAt: String(item.orderOccurredAt ?? item.occurredAt),
    kind: String(item.sk).startsWith('ADJ#') ? 'adjustment' : 'credit',
  };
}

/** Payee markers are spread over this many index partitions, so no single one gets hot. */
export const PAYEE_SHARDS = 16;
const payeeShard = (influencerId: string) => {
  let hash = 0;
  for (const char of influencerId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `PAYEES#${hash % PAYEE_SHARDS}`;
};

export function orderRepo(tableName: string) {
  const key = (merchantId: string, orderId: string, sk: string) => ({ pk: orderPk(merchantId, orderId), sk });

  return {
    /** Every item of the order, read consistently (the worker decides from it). */
    async load(merchantId: string, orderId: string): Promise<OrderPartition> {
      const partition: OrderPartition = { refunds: [], credits: [], adjustments: [] };
      let start: Record<string, unknown> | undefined;
      do {
        const out = await dynamo().send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': orderPk(merchantId, orderId) },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of out.Items ?? []) {
          const sk = String(item.sk);
          if (sk === ROOT) partition.root = strip(item) as unknown as OrderRoot;
          else if (sk.startsWith('EVENT#')) partition.refunds.push(strip(item) as unknown as StoredRefund);
          else if (sk.startsWith('CREDIT#')) partition.credits.push(strip(item) as unknown as StoredCredit);
          else if (sk.startsWith('ADJ#'))
            partition.adjustments.push(strip(item) as unknown as StoredAdjustment);
        }
        start = out.LastEvaluatedKey;
      } while (start);
      return partition;
    },

    /** The ingest's record that an order.created was accepted: the view shows it as pending. */
    acceptedStub(input: {
      merchantId: string;
      orderId: string;
      currency: string;
      occurredAt: string;
      amountMinor: number;
    }): TransactItem {
      return {
        Update: {
          TableName: tableName,
          Key: key(input.merchantId, input.orderId, ROOT),
          UpdateExpression:
            'SET merchantId = :m, orderId = :o, #status = if_not_exists(#status, :pending), ' +
            'currency = if_not_exists(currency, :c), occurredAt = if_not_exists(occurredAt, :t), ' +
            'originalAmountMinor = if_not_exists(originalAmountMinor, :a), amountMinor = if_not_exists(amountMinor, :a), ' +
            'entity = :root',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':m': input.merchantId,
            ':o': input.orderId,
            ':pending': 'pending',
            ':c': input.currency,
            ':t': input.occurredAt,
            ':a': input.amountMinor,
            ':root': 'order',
          },
        },
      };
    },

    /** Writes the root with the next version, if nobody changed the order since `root` was read. */
    rootPut(root: OrderRoot, readVersion: number | undefined): TransactItem {
      return {
        Put: {
          TableName: tableName,
          Item: {
            ...key(root.merchantId, root.orderId, ROOT),
            entity: 'order',
            ...root,
            version: (readVersion ?? 0) + 1,
          },
          ConditionExpression: readVersion === undefined ? 'attribute_not_exists(version)' : 'version = :v',
          ...(readVersion === undefined ? {} : { ExpressionAttributeValues: { ':v': readVersion } }),
        },
      };
    },

    /** Moves the version of an order that is not credited yet, so a concurrent crediting re-reads it. */
    rootTouch(merchantId: string, orderId: string, readVersion: number | undefined): TransactItem {
      return {
        Update: {
          TableName: tableName,
          Key: key(merchantId, orderId, ROOT),
          UpdateExpression: 'SET merchantId = :m, orderId = :o, entity = :e, version = :next',
          ConditionExpression: readVersion === undefined ? 'attribute_not_exists(version)' : 'version = :v',
          ExpressionAttributeValues: {
            ':m': merchantId,
            ':o': orderId,
            ':e': 'order',
            ':next': (readVersion ?? 0) + 1,
            ...(readVersion === undefined ? {} : { ':v': readVersion }),
          },
        },
      };
    },

    refundPut(merchantId: string, orderId: string, refund: StoredRefund): TransactItem {
      return {
        Put: {
          TableName: tableName,
          Item: { ...key(merchantId, orderId, `EVENT#${refund.eventId}`), entity: 'refund', ...refund },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
    },

    creditPut(credit: StoredCredit): TransactItem {
      return {
        Put: {
          TableName: tableName,
          Item: {
            ...key(credit.merchantId, credit.orderId, `CREDIT#${credit.influencerId}`),
            entity: 'credit',
            ...credit,
            unpaidFor: credit.influencerId,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
    },

    /** A new amount for an unpaid credit; fails if it was paid or changed meanwhile. */
    creditAmountUpdate(credit: StoredCredit, amountMinor: number, at: string): TransactItem {
      return {
        Update: {
          TableName: tableName,
          Key: key(credit.merchantId, credit.orderId, `CREDIT#${credit.influencerId}`),
          UpdateExpression: 'SET amountMinor = :a, version = :next, updatedAt = :at',
          ConditionExpression: 'version = :v AND #status = :unpaid',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':a': amountMinor,
            ':v': credit.version,
            ':next': credit.version + 1,
            ':unpaid': 'unpaid',
            ':at': at,
          },
        },
      };
    },

    /**
     * Marks an influencer as someone payouts must look at (the `payees` index). Written once per
     * influencer and worker instance, outside the credit's transaction: a marker without credits
     * is harmless, and a shared item in every transaction would make them conflict.
     */
    async markPayee(influencerId: string): Promise<void> {
      await dynamo().send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: `PAYEE#${influencerId}`,
            sk: 'PAYEE',
            entity: 'payee',
            influencerId,
            payeeShard: payeeShard(influencerId),
          },
        }),
      );
    },

    /**
     * One page of the influencers ever credited, in shard `shard` (0 to PAYEE_SHARDS − 1) of the
     * `payees` index: a payout run records its payee set from these pages, resuming at `next`.
     */
    async payeePage(shard: number, start: Record<string, unknown> | undefined, limit: number) {
      const out = await dynamo().send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'payees',
          KeyConditionExpression: 'payeeShard = :s',
          ExpressionAttributeValues: { ':s': `PAYEES#${shard}` },
          ExclusiveStartKey: start,
          Limit: limit,
        }),
      );
      return {
        influencerIds: (out.Items ?? []).map((item) => String(item.influencerId)),
        next: out.LastEvaluatedKey,
      };
    },

    /**
     * One page of an influencer's unpaid credits and adjustments due at `cutoff` (index
     * `unpaidByInfluencer`, `eligibleAt <= cutoff`; adjustments exactly at the cut-off are not due
     * and are dropped here). The index compares `eligibleAt` and `cutoffIso` as strings, which is a
     * time order only because both come from `formatInstant` (one fixed shape). The index is
     * eventually consistent: callers confirm before paying.
     */
    async unpaidPage(influencerId: string, cutoffIso: string, start?: Record<string, unknown>, limit = 100) {
      const out = await dynamo().send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'unpaidByInfluencer',
          KeyConditionExpression: 'unpaidFor = :i AND eligibleAt <= :cutoff',
          ExpressionAttributeValues: { ':i': influencerId, ':cutoff': cutoffIso },
          ExclusiveStartKey: start,
          Limit: limit,
        }),
      );
      const items = (out.Items ?? [])
        .map(toPayableItem)
        .filter((item) => item.kind === 'credit' || Date.parse(item.eligibleAt) < Date.parse(cutoffIso));
      return { items, next: out.LastEvaluatedKey };
    },

    /** The current status and amount of items, read consistently (the index may lag). */
    async current(keys: Array<{ pk: string; sk: string }>) {
      const found = new Map<string, { status: string; amountMinor: number }>();
      let pending = keys;
      while (pending.length) {
        const out = await dynamo().send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending.map(({ pk, sk }) => ({ pk, sk })),
                ConsistentRead: true,
                ProjectionExpression: 'pk, sk, #s, amountMinor',
                ExpressionAttributeNames: { '#s': 'status' },
              },
            },
          }),
        );
        for (const item of out.Responses?.[tableName] ?? []) {
          found.set(`${item.pk}|${item.sk}`, {
            status: String(item.status),
            amountMinor: Number(item.amountMinor),
          });
        }
        pending = (out.UnprocessedKeys?.[tableName]?.Keys ?? []) as Array<{ pk: string; sk: string }>;
      }
      return found;
    },

    /** Marks one item paid by a payout, if it is still unpaid and still of the amount summed. */
    markPaid(item: UnpaidItem, payoutId: string): TransactItem {
      return {
        Update: {
          TableName: tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET #s = :paid, payoutId = :p, payoutSort = :sort REMOVE unpaidFor',
          ConditionExpression: '#s = :unpaid AND amountMinor = :a',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':paid': 'paid',
            ':unpaid': 'unpaid',
            ':p': payoutId,
            ':sort': `${item.merchantId}#${item.orderId}#${item.sk}`,
            ':a': item.amountMinor,
          },
        },
      };
    },

    /** The items a payout paid, grouped by order (index `byPayout`), a page at a time. */
    async *paidBy(payoutId: string): AsyncGenerator<UnpaidItem> {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await dynamo().send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'byPayout',
            KeyConditionExpression: 'payoutId = :p',
            ExpressionAttributeValues: { ':p': payoutId },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of out.Items ?? []) yield toPayableItem(item);
        start = out.LastEvaluatedKey;
      } while (start);
    },

    adjustmentPut(adjustment: StoredAdjustment): TransactItem {
      return {
        Put: {
          TableName: tableName,
          Item: {
            ...key(
              adjustment.merchantId,
              adjustment.orderId,
              `ADJ#${adjustment.influencerId}#${adjustment.eventId}`,
            ),
            entity: 'adjustment',
            ...adjustment,
            unpaidFor: adjustment.influencerId,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
    },
  };
}
export type OrderRepo = ReturnType<typeof orderRepo>;

/**
 * Writes a set of changes all or nothing. False when a condition failed (someone changed the order
 * meanwhile): the caller reads again and recomputes.
 */
export async function transact(items: TransactItem[]): Promise<boolean> {
  if (items.length === 0) return true;
  if (items.length > 100) throw new Error(`A change of ${items.length} items is beyond one transaction.`);
  try {
    await dynamo().send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}
