/**
 * The orders table: one partition per order, `pk = ORDER#<merchantId>#<orderId>`, holding
 *   sk = ROOT                         the order: its lines and rates as received, its attribution
 *                                     (decided once), current amounts, and a version for
 *                                     optimistic locking of every change to the partition;
 *   sk = EVENT#<webhookId>            each refund or cancellation, kept even before the order;
 *   sk = CREDIT#<influencerId>        what the order owes an influencer, unpaid or paid;
 *   sk = ADJ#<influencerId>#<eventId> a clawback of a paid credit, dated by its refund.
 * Flat fees of an enrollment (CONTRACT §10) have a partition per merchant and influencer,
 * `pk = FEE#<merchantId>#<influencerId>`, `sk = FEE#<feeId>`, dated by their `dueAt`; a fee no
 * longer owed is `cancelled` (kept, out of the payout index), never deleted.
 * Unpaid credits and adjustments carry `unpaidFor` (the influencer) and `eligibleAt`, which put them
 * in the sparse `unpaidByInfluencer` index that payouts read; once paid they carry `payoutId`, which
 * puts them in the `byPayout` index that statements read. `PAYEE#<influencerId>` markers (index
 * `payees`, sharded) list every influencer ever credited, so a payout run finds its work without a Scan.
 * The root of a credited order that carries what the attribution model comparison needs (its
 * candidate clicks, their influencers' rates, its kept lines) also carries `ordersOf` (the merchant)
 * and `orderSort` (`<occurredAt>#<orderId>`), which put it in the sparse `creditedByMerchant` index.
 * Every credit, adjustment and fee carries `creditsOf` (the influencer) and `creditSort` (its date:
 * the order's time, the refund's, the fee's `dueAt`), which put it in the sparse
 * `creditsByInfluencer` index: an influencer's own ledger, newest first, whatever its status.
 */
import { BatchGetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import { type AttributionShare, UNATTRIBUTED_REASONS, type UnattributedReason } from '../domain/attribution';
import { ATTRIBUTION_MODELS, type AttributionModel } from '../domain/attribution-models';
import type { CommissionRates, OrderLine, RefundLine } from '../domain/commission';
import { formatInstant } from '../domain/instant';
import * as z from '../schemas/zod';
import { isConditionFailure } from './errors';
import { entity, ITEM_TYPE, type Item, queryAll, queryPage, queryPages, type TransactItem } from './items';
import { commissionSchema } from './merchants';

export type { TransactItem };

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
  /** With each influencer's rates at the first crediting, when they were its own terms (CONTRACT §10). */
  shares?: Array<AttributionShare & { rates?: CommissionRates }>;
  unattributedReason?: UnattributedReason;
  originalAmountMinor?: number;
  /** After refunds. */
  amountMinor?: number;
  commissionMinor?: number;
  /**
   * The candidate clicks that counted at the first crediting (CONTRACT §6: at most 50), oldest
   * first; empty when a coupon credited the order. Absent on orders credited before it was kept.
   */
  candidates?: StoredCandidate[];
  /**
   * The own rates (CONTRACT §10) of every candidate influencer (or of the coupon's owner) that had
   * terms of its own at the first crediting; the others are on the order's `rates`.
   */
  candidateRates?: Array<{ influencerId: string; rates: CommissionRates }>;
  /** The lines after every refund applied so far, same order and length as `lines`. */
  keptLines?: OrderLine[];
  /** When this version of the root was written: the time of its outgoing event (functions/events). */
  changedAt?: string;
}

export interface StoredCandidate {
  clickId: string;
  influencerId: string;
  occurredAt: string;
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

export interface StoredFee {
  merchantId: string;
  influencerId: string;
  feeId: string;
  /** The merchant's currency. */
  currency: string;
  amountMinor: number;
  dueAt: string;
  memo?: string;
  /** `formatInstant(dueAt)`: paid by the first run whose cut-off is after it. */
  eligibleAt: string;
  status: 'unpaid' | 'paid' | 'cancelled';
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
const refundSk = (eventId: string) => `EVENT#${eventId}`;
const creditSk = (influencerId: string) => `CREDIT#${influencerId}`;
const adjustmentSk = (influencerId: string, eventId: string) => `ADJ#${influencerId}#${eventId}`;
const feePk = (merchantId: string, influencerId: string) => `FEE#${merchantId}#${influencerId}`;
const feeKey = (merchantId: string, influencerId: string, feeId: string) => ({
  pk: feePk(merchantId, influencerId),
  sk: `FEE#${feeId}`,
});
const payeeKey = (influencerId: string) => ({ pk: `PAYEE#${influencerId}`, sk: 'PAYEE' });

// What each item type holds. Index keys (`unpaidFor`, `payoutSort`, `payeeShard`) are not fields.
const keyAttributes = ['pk', 'sk'];
const methodSchema = z.enum([...ATTRIBUTION_MODELS, 'coupon']);
const unpaidOrPaid = z.enum(['unpaid', 'paid']);

const orderLineSchema = z.object({
  sku: z.string(),
  category: z.optional(z.string()),
  quantity: z.int(),
  unitPriceMinor: z.int(),
});

const orderRootSchema: z.ZodMiniType<OrderRoot> = z.object({
  merchantId: z.string(),
  orderId: z.string(),
  version: z.optional(z.int()),
  status: z.optional(z.enum(['pending', 'credited', 'unattributed'])),
  currency: z.optional(z.string()),
  occurredAt: z.optional(z.string()),
  lines: z.optional(z.array(orderLineSchema)),
  rates: z.optional(commissionSchema),
  holdDays: z.optional(z.int()),
  clickId: z.optional(z.string()),
  couponCode: z.optional(z.string()),
  method: z.optional(methodSchema),
  shares: z.optional(
    z.array(
      z.object({
        influencerId: z.string(),
        weightBps: z.int(),
        clickId: z.optional(z.string()),
        clickAgeMs: z.optional(z.number()),
        clickIds: z.array(z.string()),
        rates: z.optional(commissionSchema),
      }),
    ),
  ),
  unattributedReason: z.optional(z.enum(UNATTRIBUTED_REASONS)),
  originalAmountMinor: z.optional(z.int()),
  amountMinor: z.optional(z.int()),
  commissionMinor: z.optional(z.int()),
  candidates: z.optional(
    z.array(z.object({ clickId: z.string(), influencerId: z.string(), occurredAt: z.string() })),
  ),
  candidateRates: z.optional(z.array(z.object({ influencerId: z.string(), rates: commissionSchema }))),
  keptLines: z.optional(z.array(orderLineSchema)),
  changedAt: z.optional(z.string()),
});

const storedRefundSchema: z.ZodMiniType<StoredRefund> = z.object({
  eventId: z.string(),
  type: z.enum(['order.refunded', 'order.cancelled']),
  occurredAt: z.string(),
  lines: z.union([z.literal('all'), z.array(z.object({ sku: z.string(), quantity: z.int() }))]),
});

const storedCreditSchema: z.ZodMiniType<StoredCredit> = z.object({
  merchantId: z.string(),
  orderId: z.string(),
  influencerId: z.string(),
  currency: z.string(),
  amountMinor: z.int(),
  weightBps: z.int(),
  clickId: z.optional(z.string()),
  method: methodSchema,
  clickAgeMs: z.optional(z.number()),
  clickIds: z.array(z.string()),
  occurredAt: z.string(),
  eligibleAt: z.string(),
  status: unpaidOrPaid,
  payoutId: z.optional(z.string()),
  version: z.int(),
});

const storedAdjustmentSchema: z.ZodMiniType<StoredAdjustment> = z.object({
  merchantId: z.string(),
  orderId: z.string(),
  influencerId: z.string(),
  currency: z.string(),
  eventId: z.string(),
  amountMinor: z.int(),
  occurredAt: z.string(),
  orderOccurredAt: z.string(),
  eligibleAt: z.string(),
  status: unpaidOrPaid,
  payoutId: z.optional(z.string()),
});

const storedFeeSchema: z.ZodMiniType<StoredFee> = z.object({
  merchantId: z.string(),
  influencerId: z.string(),
  feeId: z.string(),
  currency: z.string(),
  amountMinor: z.int(),
  dueAt: z.string(),
  memo: z.optional(z.string()),
  eligibleAt: z.string(),
  status: z.enum(['unpaid', 'paid', 'cancelled']),
  payoutId: z.optional(z.string()),
});

const orderEntity = entity({ itemType: 'order', keyAttributes, schema: orderRootSchema });
const refundEntity = entity({ itemType: 'refund', keyAttributes, schema: storedRefundSchema });
const creditEntity = entity({ itemType: 'credit', keyAttributes, schema: storedCreditSchema });
const adjustmentEntity = entity({ itemType: 'adjustment', keyAttributes, schema: storedAdjustmentSchema });
const feeEntity = entity({ itemType: 'fee', keyAttributes, schema: storedFeeSchema });
const payeeEntity = entity({
  itemType: 'payee',
  keyAttributes,
  schema: z.object({ influencerId: z.string() }),
});

/** An unpaid credit, adjustment or fee as the `unpaidByInfluencer` index returns it. */
export interface UnpaidItem {
  pk: string;
  sk: string;
  merchantId: string;
  /** Empty for a fee, which belongs to no order. */
  orderId: string;
  influencerId: string;
  currency: string;
  amountMinor: number;
  eligibleAt: string;
  /** The order's time (for an adjustment, the time of the order it corrects; for a fee, its due time). */
  orderOccurredAt: string;
  kind: 'credit' | 'adjustment' | 'fee';
  /** A fee's id and memo. */
  feeId?: string;
  memo?: string;
}

/** A credit or adjustment as payouts see it (from either payout index). */
function toPayableItem(tableName: string, item: Item): UnpaidItem {
  const keys = { pk: String(item.pk), sk: String(item.sk) };
  if (item[ITEM_TYPE] === feeEntity.itemType) {
    const fee = feeEntity.fromItem(tableName, item);
    return {
      ...keys,
      merchantId: fee.merchantId,
      orderId: '',
      influencerId: fee.influencerId,
      currency: fee.currency,
      amountMinor: fee.amountMinor,
      eligibleAt: fee.eligibleAt,
      orderOccurredAt: fee.dueAt,
      kind: 'fee',
      feeId: fee.feeId,
      ...(fee.memo !== undefined ? { memo: fee.memo } : {}),
    };
  }
  if (item[ITEM_TYPE] === adjustmentEntity.itemType) {
    const adjustment = adjustmentEntity.fromItem(tableName, item);
    return {
      ...keys,
      ...payable(adjustment),
      orderOccurredAt: adjustment.orderOccurredAt,
      kind: 'adjustment',
    };
  }
  const credit = creditEntity.fromItem(tableName, item);
  return { ...keys, ...payable(credit), orderOccurredAt: credit.occurredAt, kind: 'credit' };
}

const payable = (item: StoredCredit | StoredAdjustment) => ({
  merchantId: item.merchantId,
  orderId: item.orderId,
  influencerId: item.influencerId,
  currency: item.currency,
  amountMinor: item.amountMinor,
  eligibleAt: item.eligibleAt,
});

/** A ledger item as its influencer is shown it. */
function ledgerEntry(tableName: string, item: Item): LedgerEntry {
  if (item[ITEM_TYPE] === feeEntity.itemType) {
    const fee = feeEntity.fromItem(tableName, item);
    return {
      kind: 'fee',
      merchantId: fee.merchantId,
      orderId: fee.feeId,
      feeId: fee.feeId,
      occurredAt: fee.dueAt,
      currency: fee.currency,
      amountMinor: fee.amountMinor,
      status: fee.status,
    };
  }
  if (item[ITEM_TYPE] === adjustmentEntity.itemType) {
    const adjustment = adjustmentEntity.fromItem(tableName, item);
    return {
      kind: 'adjustment',
      merchantId: adjustment.merchantId,
      orderId: adjustment.orderId,
      occurredAt: adjustment.occurredAt,
      currency: adjustment.currency,
      amountMinor: adjustment.amountMinor,
      status: adjustment.status,
    };
  }
  const credit = creditEntity.fromItem(tableName, item);
  return {
    kind: 'credit',
    merchantId: credit.merchantId,
    orderId: credit.orderId,
    occurredAt: credit.occurredAt,
    currency: credit.currency,
    amountMinor: credit.amountMinor,
    status: credit.status,
    method: credit.method,
  };
}

/** Payee markers are spread over this many index partitions, so no single one gets hot. */
export const PAYEE_SHARDS = 16;
const payeeShard = (influencerId: string) => {
  let hash = 0;
  for (const char of influencerId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `PAYEES#${hash % PAYEE_SHARDS}`;
};

/**
 * The `creditedByMerchant` index keys: only on the root of a credited order that carries what the
 * comparison needs. An order credited before these fields were kept stays out of the index (a
 * refund rewrites its root, but cannot recover its candidate clicks).
 */
function creditedByMerchantKeys(root: OrderRoot): { ordersOf?: string; orderSort?: string } {
  if (root.status !== 'credited' || !root.occurredAt || !root.candidates || !root.keptLines) return {};
  // A string order that is the time order: one fixed-shape formatter (instant.ts).
  return {
    ordersOf: root.merchantId,
    orderSort: `${formatInstant(Date.parse(root.occurredAt))}#${root.orderId}`,
  };
}

/**
 * Bounds of `orderSort` for the UTC days `fromDay` to `toDay`, both included. Order ids are
 * `[A-Za-z0-9_-]`, all below `~`, so `<last instant of toDay>#~` is above every order of that day.
 */
const orderSortBounds = (fromDay: string, toDay: string) => ({
  low: `${fromDay}T00:00:00.000Z`,
  high: `${toDay}T23:59:59.999Z#~`,
});

/** The `creditsByInfluencer` index keys of an item dated `at` (one fixed shape: a string order that is the time order). */
const creditsKeys = (influencerId: string, at: string) => ({
  creditsOf: influencerId,
  creditSort: formatInstant(Date.parse(at)),
});

/** An item of an influencer's ledger (index `creditsByInfluencer`), as its owner is shown it. */
export interface LedgerEntry {
  kind: 'credit' | 'adjustment' | 'fee';
  merchantId: string;
  /** The order's id; for a fee, which belongs to no order, the fee's id. */
  orderId: string;
  feeId?: string;
  /** When it counts: the order's time, the refund's (a clawback), the fee's due time. */
  occurredAt: string;
  currency: string;
  amountMinor: number;
  status: 'unpaid' | 'paid' | 'cancelled';
  /** The attribution method of a credit. */
  method?: AttributionModel | 'coupon';
}

/** A page of an influencer's ledger, and the index key the next page starts after (absent on the last). */
export interface LedgerPage {
  entries: LedgerEntry[];
  next?: { pk: string; sk: string; creditsOf: string; creditSort: string };
}

export function orderRepo(tableName: string) {
  const key = (merchantId: string, orderId: string, sk: string) => ({ pk: orderPk(merchantId, orderId), sk });

  return {
    /** Every item of the order, read consistently (the worker decides from it). */
    async load(merchantId: string, orderId: string): Promise<OrderPartition> {
      const partition: OrderPartition = { refunds: [], credits: [], adjustments: [] };
      const items = queryAll({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': orderPk(merchantId, orderId) },
        ConsistentRead: true,
      });
      for await (const item of items) {
        const sk = String(item.sk);
        if (sk === ROOT) partition.root = orderEntity.fromItem(tableName, item);
        else if (sk.startsWith('EVENT#')) partition.refunds.push(refundEntity.fromItem(tableName, item));
        else if (sk.startsWith('CREDIT#')) partition.credits.push(creditEntity.fromItem(tableName, item));
        else if (sk.startsWith('ADJ#'))
          partition.adjustments.push(adjustmentEntity.fromItem(tableName, item));
      }
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
            '#itemType = :root',
          ExpressionAttributeNames: { '#status': 'status', '#itemType': ITEM_TYPE },
          ExpressionAttributeValues: {
            ':m': input.merchantId,
            ':o': input.orderId,
            ':pending': 'pending',
            ':c': input.currency,
            ':t': input.occurredAt,
            ':a': input.amountMinor,
            ':root': orderEntity.itemType,
          },
        },
      };
    },

    /** Writes the root with the next version, if nobody changed the order since `root` was read. */
    rootPut(root: OrderRoot, readVersion: number | undefined, changedAt = new Date()): TransactItem {
      return {
        Put: {
          TableName: tableName,
          Item: orderEntity.toItem(key(root.merchantId, root.orderId, ROOT), {
            ...root,
            ...creditedByMerchantKeys(root),
            version: (readVersion ?? 0) + 1,
            changedAt: changedAt.toISOString(),
          }),
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
          UpdateExpression: 'SET merchantId = :m, orderId = :o, #itemType = :e, version = :next',
          ExpressionAttributeNames: { '#itemType': ITEM_TYPE },
          ConditionExpression: readVersion === undefined ? 'attribute_not_exists(version)' : 'version = :v',
          ExpressionAttributeValues: {
            ':m': merchantId,
            ':o': orderId,
            ':e': orderEntity.itemType,
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
          Item: refundEntity.toItem(key(merchantId, orderId, refundSk(refund.eventId)), refund),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
    },

    creditPut(credit: StoredCredit): TransactItem {
      return {
        Put: {
          TableName: tableName,
          Item: creditEntity.toItem(key(credit.merchantId, credit.orderId, creditSk(credit.influencerId)), {
            ...credit,
            unpaidFor: credit.influencerId,
            ...creditsKeys(credit.influencerId, credit.occurredAt),
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
    },

    /** A new amount for an unpaid credit; fails if it was paid or changed meanwhile. */
    creditAmountUpdate(credit: StoredCredit, amountMinor: number, at: string): TransactItem {
      return {
        Update: {
          TableName: tableName,
          Key: key(credit.merchantId, credit.orderId, creditSk(credit.influencerId)),
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
          Item: payeeEntity.toItem(payeeKey(influencerId), {
            influencerId,
            payeeShard: payeeShard(influencerId),
          }),
        }),
      );
    },

    /**
     * One page of the influencers ever credited, in shard `shard` (0 to PAYEE_SHARDS − 1) of the
     * `payees` index: a payout run records its payee set from these pages, resuming at `next`.
     */
    async payeePage(shard: number, start: Item | undefined, limit: number) {
      const page = await queryPage(
        {
          TableName: tableName,
          IndexName: 'payees',
          KeyConditionExpression: 'payeeShard = :s',
          ExpressionAttributeValues: { ':s': `PAYEES#${shard}` },
        },
        limit,
        start,
      );
      return {
        influencerIds: page.items.map((item) => payeeEntity.fromItem(tableName, item).influencerId),
        next: page.next,
      };
    },

    /**
     * An influencer's unpaid credits and adjustments due at `cutoff`, a page (of at most `pageSize`
     * index items) at a time (index `unpaidByInfluencer`, `eligibleAt <= cutoff`; adjustments
     * exactly at the cut-off are not due and are dropped here). The index compares `eligibleAt` and
     * `cutoffIso` as strings, which is a time order only because both come from `formatInstant` (one
     * fixed shape). The index is eventually consistent: callers confirm before paying.
     */
    async *unpaidPages(
      influencerId: string,
      cutoffIso: string,
      pageSize = 100,
    ): AsyncGenerator<UnpaidItem[]> {
      const pages = queryPages(
        {
          TableName: tableName,
          IndexName: 'unpaidByInfluencer',
          KeyConditionExpression: 'unpaidFor = :i AND eligibleAt <= :cutoff',
          ExpressionAttributeValues: { ':i': influencerId, ':cutoff': cutoffIso },
        },
        pageSize,
      );
      for await (const page of pages) {
        yield page
          .map((item) => toPayableItem(tableName, item))
          .filter((item) => item.kind === 'credit' || Date.parse(item.eligibleAt) < Date.parse(cutoffIso));
      }
    },

    /** The current status and amount of items, read consistently (the index may lag). */
    async current(keys: Array<{ pk: string; sk: string }>) {
      const found = new Map<string, { status: string; amountMinor: number; eligibleAt: string }>();
      let pending = keys;
      while (pending.length) {
        const out = await dynamo().send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending.map(({ pk, sk }) => ({ pk, sk })),
                ConsistentRead: true,
                ProjectionExpression: 'pk, sk, #s, amountMinor, eligibleAt',
                ExpressionAttributeNames: { '#s': 'status' },
              },
            },
          }),
        );
        for (const item of out.Responses?.[tableName] ?? []) {
          found.set(`${item.pk}|${item.sk}`, {
            status: String(item.status),
            amountMinor: Number(item.amountMinor),
            eligibleAt: String(item.eligibleAt),
          });
        }
        pending = (out.UnprocessedKeys?.[tableName]?.Keys ?? []) as Array<{ pk: string; sk: string }>;
      }
      return found;
    },

    /**
     * Marks one item paid by a payout, if it is still unpaid, of the amount summed and due when it
     * was (a fee's due time may move).
     */
    markPaid(item: UnpaidItem, payoutId: string): TransactItem {
      return {
        Update: {
          TableName: tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET #s = :paid, payoutId = :p, payoutSort = :sort REMOVE unpaidFor',
          ConditionExpression: '#s = :unpaid AND amountMinor = :a AND eligibleAt = :e',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':paid': 'paid',
            ':unpaid': 'unpaid',
            ':p': payoutId,
            ':sort': `${item.merchantId}#${item.orderId}#${item.sk}`,
            ':a': item.amountMinor,
            ':e': item.eligibleAt,
          },
        },
      };
    },

    /** The items a payout paid, grouped by order (index `byPayout`), a page at a time. */
    async *paidBy(payoutId: string): AsyncGenerator<UnpaidItem> {
      const items = queryAll({
        TableName: tableName,
        IndexName: 'byPayout',
        KeyConditionExpression: 'payoutId = :p',
        ExpressionAttributeValues: { ':p': payoutId },
      });
      for await (const item of items) yield toPayableItem(tableName, item);
    },

    /**
     * A merchant's credited orders whose `occurredAt` falls on the UTC days `fromDay` to `toDay`
     * (both included, `YYYY-MM-DD`), a page at a time, oldest first (index `creditedByMerchant`;
     * eventually consistent, like every index). Only orders that carry the comparison's fields.
     */
    async *creditedOrderPages(
      merchantId: string,
      fromDay: string,
      toDay: string,
      pageSize?: number,
    ): AsyncGenerator<OrderRoot[]> {
      const { low, high } = orderSortBounds(fromDay, toDay);
      const pages = queryPages(
        {
          TableName: tableName,
          IndexName: 'creditedByMerchant',
          KeyConditionExpression: 'ordersOf = :m AND orderSort BETWEEN :low AND :high',
          ExpressionAttributeValues: { ':m': merchantId, ':low': low, ':high': high },
        },
        pageSize,
      );
      for await (const page of pages) yield page.map((item) => orderEntity.fromItem(tableName, item));
    },

    /**
     * One page of an influencer's credits, clawbacks and fees dated within `[low, high]` (fixed-shape
     * instants), newest first (index `creditsByInfluencer`, eventually consistent), starting after
     * `after` (the `next` of the page before). Reads one item more than the page, so that the last
     * page says it is the last.
     */
    async ledgerPage(
      influencerId: string,
      bounds: { low: string; high: string },
      limit: number,
      after?: LedgerPage['next'],
    ): Promise<LedgerPage> {
      const items: Item[] = [];
      let start: Item | undefined = after;
      do {
        const page = await queryPage(
          {
            TableName: tableName,
            IndexName: 'creditsByInfluencer',
            KeyConditionExpression: 'creditsOf = :i AND creditSort BETWEEN :low AND :high',
            ExpressionAttributeValues: { ':i': influencerId, ':low': bounds.low, ':high': bounds.high },
            ScanIndexForward: false,
          },
          limit + 1 - items.length,
          start,
        );
        items.push(...page.items);
        start = page.next;
      } while (start && items.length <= limit);
      const entries = items.slice(0, limit).map((item) => ledgerEntry(tableName, item));
      const last = items.length > limit ? items[limit - 1] : undefined;
      return {
        entries,
        ...(last
          ? {
              next: {
                pk: String(last.pk),
                sk: String(last.sk),
                creditsOf: String(last.creditsOf),
                creditSort: String(last.creditSort),
              },
            }
          : {}),
      };
    },

    adjustmentPut(adjustment: StoredAdjustment): TransactItem {
      return {
        Put: {
          TableName: tableName,
          Item: adjustmentEntity.toItem(
            key(
              adjustment.merchantId,
              adjustment.orderId,
              adjustmentSk(adjustment.influencerId, adjustment.eventId),
            ),
            {
              ...adjustment,
              unpaidFor: adjustment.influencerId,
              ...creditsKeys(adjustment.influencerId, adjustment.occurredAt),
            },
          ),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
    },

    /** Every fee ever stored for the pair (paid, unpaid and cancelled), read consistently. */
    async feesOf(merchantId: string, influencerId: string): Promise<StoredFee[]> {
      const fees: StoredFee[] = [];
      for await (const item of queryAll({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': feePk(merchantId, influencerId) },
        ConsistentRead: true,
      })) {
        fees.push(feeEntity.fromItem(tableName, item));
      }
      return fees;
    },

    /** A new unpaid fee (or a cancelled one owed again), in the payout index. */
    feeCreate(fee: Omit<StoredFee, 'status' | 'eligibleAt' | 'payoutId'>, at: string): TransactItem {
      const stored: StoredFee = {
        ...fee,
        eligibleAt: formatInstant(Date.parse(fee.dueAt)),
        status: 'unpaid',
      };
      return {
        Put: {
          TableName: tableName,
          Item: feeEntity.toItem(feeKey(fee.merchantId, fee.influencerId, fee.feeId), {
            ...stored,
            unpaidFor: fee.influencerId,
            ...creditsKeys(fee.influencerId, fee.dueAt),
            updatedAt: at,
          }),
          ConditionExpression: 'attribute_not_exists(pk) OR #s = :cancelled',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':cancelled': 'cancelled' },
        },
      };
    },

    /** New terms for a fee that is still unpaid (fails if a run paid it meanwhile). */
    feeUpdate(
      key: { merchantId: string; influencerId: string; feeId: string },
      fee: { amountMinor: number; dueAt: string; memo?: string },
      at: string,
    ): TransactItem {
      return {
        Update: {
          TableName: tableName,
          Key: feeKey(key.merchantId, key.influencerId, key.feeId),
          // A fee's ledger date (`creditSort`) moves with its due time.
          UpdateExpression: `SET amountMinor = :a, dueAt = :d, eligibleAt = :e, creditSort = :e, updatedAt = :at${fee.memo === undefined ? ' REMOVE memo' : ', memo = :memo'}`,
          ConditionExpression: '#s = :unpaid',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':a': fee.amountMinor,
            ':d': fee.dueAt,
            ':e': formatInstant(Date.parse(fee.dueAt)),
            ':at': at,
            ':unpaid': 'unpaid',
            ...(fee.memo === undefined ? {} : { ':memo': fee.memo }),
          },
        },
      };
    },

    /** A fee no longer owed leaves the payout index (fails if a run paid it meanwhile). */
    feeCancel(key: { merchantId: string; influencerId: string; feeId: string }, at: string): TransactItem {
      return {
        Update: {
          TableName: tableName,
          Key: feeKey(key.merchantId, key.influencerId, key.feeId),
          UpdateExpression: 'SET #s = :cancelled, updatedAt = :at REMOVE unpaidFor',
          ConditionExpression: '#s = :unpaid',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':cancelled': 'cancelled', ':unpaid': 'unpaid', ':at': at },
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
