/**
 * The payouts table. Per run, one partition `RUN#<period>`:
 *   sk = RUN                                the run: running or complete; how far its payee set is
 *                                           recorded and its jobs queued; jobs recorded and done;
 *   sk = JOB#<influencerId>                 that influencer is a payee of the run: `pending` until its
 *                                           job finishes, then `done` (makes redelivery harmless);
 *   sk = PAYOUT#<influencerId>#<currency>   a payout: payable (its items marked paid by it, as they
 *                                           are marked, in the same transactions) or carried over.
 * And `LATEST`: the latest period ever started, which earlier new periods may not precede.
 * Payouts carry `payoutsOf` (the influencer), which puts them in the sparse `payoutsByInfluencer`
 * index, sorted by `payoutId` (`<period>#<influencerId>#<currency>`, so by period). The id names
 * the payout's key, so a payout is read by its id with one GetItem (`parsePayoutId`).
 * A settled payout keeps its `settlement` on its item: the item's change (no settlement, then one)
 * is what tells the table's stream that it was settled.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import { ID_PATTERN } from '../domain/ids';
import { formatInstant } from '../domain/instant';
import type { Settlement } from '../domain/settlement';
import * as z from '../schemas/zod';
import { isConditionFailure } from './errors';
import { entity, ITEM_TYPE, queryAll, queryPage } from './items';
import type { TransactItem } from './orders';

/** Where recording the payee set goes on: a shard of the `payees` index and a page in it. */
const payeeCursorSchema = z.object({
  shard: z.int(),
  /** The index's key the page starts after; absent for a shard's first page. */
  start: z.optional(z.record(z.string(), z.unknown())),
});
export type PayeeCursor = z.output<typeof payeeCursorSchema>;

/**
 * A run's payee set is recorded once, in pages (each page's job markers and the run's progress in
 * one transaction, conditioned on the page number, so overlapping starts record each page once);
 * only then are jobs queued, in marker order, with the progress kept in `queuedThrough`. The run
 * completes when it is recorded and every recorded job is done.
 *
 * The progress fields are absent on a run started before runs recorded their payee set: such a run
 * is still read (its status and payouts), but it cannot be continued (payouts/start-run.ts).
 */
const runSchema = z.object({
  period: z.string(),
  status: z.enum(['running', 'complete']),
  doneJobs: z.int(),
  /** Pages of the payee set recorded so far. */
  recordedPages: z.optional(z.int()),
  /** The next page to record; absent once `recorded`. */
  payeeCursor: z.optional(payeeCursorSchema),
  /** The payee set is complete: no job is ever added to the run. */
  recorded: z.optional(z.boolean()),
  recordedJobs: z.optional(z.int()),
  /** The sort key of the last job marker queued in marker order. */
  queuedThrough: z.optional(z.string()),
  /** Every recorded job was queued once. */
  queued: z.optional(z.boolean()),
});
export type RunRecord = z.output<typeof runSchema>;

/** An influencer's job of a run: `pending` from when the payee set is recorded until it is done. */
const jobMarkerSchema = z.object({
  influencerId: z.string(),
  // Before job states, a marker was written only when its job finished: one without is done.
  state: z._default(z.enum(['pending', 'done']), 'done'),
});
export type JobMarker = z.output<typeof jobMarkerSchema>;

/** Job markers per recording transaction: with the run's own update, within DynamoDB's 100 items. */
export const MAX_RECORD_PAGE = 99;

const payoutSchema = z.object({
  period: z.string(),
  influencerId: z.string(),
  currency: z.string(),
  payoutId: z.string(),
  status: z.enum(['payable', 'carried_over']),
  /** `marking` while a payable payout's items are being marked paid; `done` once its total is final. */
  state: z.enum(['marking', 'done']),
  /** Final total (done), or the total found when the run decided (marking). */
  amountMinor: z.int(),
  items: z.int(),
  markedMinor: z.int(),
  markedItems: z.int(),
  /** When the payout was decided (this clock); absent on payouts decided before it was recorded. */
  createdAt: z.optional(z.string()),
  /** Recorded once, by `settle`: the payout's money left, with this reference. */
  settlement: z.optional(z.object({ reference: z.string(), settledAt: z.string() })),
});
export type PayoutRecord = z.output<typeof payoutSchema>;

const keyAttributes = ['pk', 'sk'];
const runEntity = entity({ itemType: 'payoutRun', keyAttributes, schema: runSchema });
const payoutEntity = entity({ itemType: 'payout', keyAttributes, schema: payoutSchema });
const jobEntity = entity({ itemType: 'payoutJob', keyAttributes, schema: jobMarkerSchema });
const latestEntity = entity({
  itemType: 'latestPeriod',
  keyAttributes,
  schema: z.object({ period: z.string() }),
});

const runPk = (period: string) => `RUN#${period}`;
const runKey = (period: string) => ({ pk: runPk(period), sk: 'RUN' });
const jobKey = (period: string, influencerId: string) => ({ pk: runPk(period), sk: `JOB#${influencerId}` });
const LATEST_KEY = { pk: 'LATEST', sk: 'LATEST' };
export const payoutIdOf = (period: string, influencerId: string, currency: string) =>
  `${period}#${influencerId}#${currency}`;

const PAYOUT_ID = /^(\d{4}-(?:0[1-9]|1[0-2]))#([^#]+)#([A-Z]{3})$/;

/** The period, influencer and currency a payout id names; undefined for a string no payout has as id. */
export function parsePayoutId(
  payoutId: string,
): { period: string; influencerId: string; currency: string } | undefined {
  const match = PAYOUT_ID.exec(payoutId);
  if (!match) return undefined;
  const [, period = '', influencerId = '', currency = ''] = match;
  return ID_PATTERN.test(influencerId) ? { period, influencerId, currency } : undefined;
}

/** A payout from an item of the table (a stream image), or undefined for an item of another kind. */
export function payoutOfItem(tableName: string, item: Record<string, unknown>): PayoutRecord | undefined {
  return item[ITEM_TYPE] === payoutEntity.itemType ? payoutEntity.fromItem(tableName, item) : undefined;
}

export type SettleResult = { kind: 'settled'; payout: PayoutRecord } | { kind: 'refused' };

export function payoutRepo(tableName: string) {
  const payoutKey = (period: string, influencerId: string, currency: string) => ({
    pk: runPk(period),
    sk: `PAYOUT#${influencerId}#${currency}`,
  });

  return {
    async run(period: string): Promise<RunRecord | undefined> {
      const out = await dynamo().send(
        new GetCommand({ TableName: tableName, Key: runKey(period), ConsistentRead: true }),
      );
      return out.Item ? runEntity.fromItem(tableName, out.Item) : undefined;
    },

    async latestPeriod(): Promise<string | undefined> {
      const out = await dynamo().send(
        new GetCommand({ TableName: tableName, Key: LATEST_KEY, ConsistentRead: true }),
      );
      return out.Item ? latestEntity.fromItem(tableName, out.Item).period : undefined;
    },

    /** The new run and the latest period, together; false if the run exists or a later period ran. */
    startItems(period: string): TransactItem[] {
      return [
        {
          Put: {
            TableName: tableName,
            Item: runEntity.toItem(runKey(period), {
              period,
              status: 'running',
              doneJobs: 0,
              recordedPages: 0,
              payeeCursor: { shard: 0 },
              recorded: false,
              recordedJobs: 0,
              queued: false,
            } satisfies RunRecord),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: LATEST_KEY,
            UpdateExpression: 'SET #period = :p, #itemType = :t',
            ConditionExpression: 'attribute_not_exists(#period) OR #period <= :p',
            ExpressionAttributeNames: { '#period': 'period', '#itemType': ITEM_TYPE },
            ExpressionAttributeValues: { ':p': period, ':t': latestEntity.itemType },
          },
        },
      ];
    },

    /**
     * Records one page of the payee set: a pending job marker per influencer and the run's progress,
     * together, if the run has recorded exactly `pageNumber` pages (false otherwise: an overlapping
     * start recorded this page; read the run again). `next` absent: this was the last page.
     */
    recordPageItems(
      period: string,
      pageNumber: number,
      influencerIds: readonly string[],
      next: PayeeCursor | undefined,
    ): TransactItem[] {
      if (influencerIds.length > MAX_RECORD_PAGE) {
        throw new RangeError(`at most ${MAX_RECORD_PAGE} payees per page, got ${influencerIds.length}`);
      }
      return [
        ...influencerIds.map(
          (influencerId): TransactItem => ({
            Put: {
              TableName: tableName,
              Item: jobEntity.toItem(jobKey(period, influencerId), {
                influencerId,
                state: 'pending',
              } satisfies JobMarker),
              // An influencer is in one page of the payees index only; this guards a done marker.
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          }),
        ),
        {
          Update: {
            TableName: tableName,
            Key: runKey(period),
            UpdateExpression:
              next === undefined
                ? 'SET recordedPages = :next, recorded = :true ADD recordedJobs :n REMOVE payeeCursor'
                : 'SET recordedPages = :next, payeeCursor = :cursor ADD recordedJobs :n',
            ConditionExpression: 'recordedPages = :page AND recorded = :false',
            ExpressionAttributeValues: {
              ':page': pageNumber,
              ':next': pageNumber + 1,
              ':n': influencerIds.length,
              ':false': false,
              ...(next === undefined ? { ':true': true } : { ':cursor': next }),
            },
          },
        },
      ];
    },

    /** Recorded job markers after the sort key `after` (all when absent), in key order, a page at a time. */
    async jobsPage(
      period: string,
      after: string | undefined,
      limit: number,
    ): Promise<{ jobs: JobMarker[]; lastSk: string | undefined; more: boolean }> {
      const page = await queryPage(
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :job)',
          ExpressionAttributeValues: { ':pk': runPk(period), ':job': 'JOB#' },
          ConsistentRead: true,
        },
        limit,
        after === undefined ? undefined : { pk: runPk(period), sk: after },
      );
      const { items } = page;
      return {
        jobs: items.map((item) => jobEntity.fromItem(tableName, item)),
        lastSk: items.length ? String(items[items.length - 1]?.sk) : after,
        more: page.next !== undefined,
      };
    },

    /** Moves the queueing progress forward (never back: overlapping starts queue the same markers). */
    async queuedThrough(period: string, sk: string, finished: boolean): Promise<void> {
      await dynamo()
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: runKey(period),
            UpdateExpression: finished
              ? 'SET queuedThrough = :sk, queued = :true'
              : 'SET queuedThrough = :sk',
            ConditionExpression: 'attribute_not_exists(queuedThrough) OR queuedThrough <= :sk',
            ExpressionAttributeValues: { ':sk': sk, ...(finished ? { ':true': true } : {}) },
          }),
        )
        .catch((err: unknown) => {
          if (!isConditionFailure(err)) throw err;
        });
    },

    /** Marks queueing finished when the run has no job at all (nothing to move `queuedThrough` to). */
    async queuedAll(period: string): Promise<void> {
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName,
          Key: runKey(period),
          UpdateExpression: 'SET queued = :true',
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    },

    /** The run's job marker of an influencer; undefined when it is not a payee of the run. */
    async job(period: string, influencerId: string): Promise<JobMarker | undefined> {
      const out = await dynamo().send(
        new GetCommand({
          TableName: tableName,
          Key: jobKey(period, influencerId),
          ConsistentRead: true,
        }),
      );
      return out.Item ? jobEntity.fromItem(tableName, out.Item) : undefined;
    },

    /** The job's marker turned done and the run's count, together: a redelivered job counts once. */
    jobDoneItems(period: string, influencerId: string): TransactItem[] {
      return [
        {
          Update: {
            TableName: tableName,
            Key: jobKey(period, influencerId),
            UpdateExpression: 'SET #state = :done',
            ConditionExpression: '#state = :pending',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':done': 'done', ':pending': 'pending' },
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: runKey(period),
            UpdateExpression: 'ADD doneJobs :one',
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
      ];
    },

    /** Completes the run once its payee set is recorded and every recorded job is done; false before. */
    async completeIfDone(period: string): Promise<boolean> {
      try {
        await dynamo().send(
          new UpdateCommand({
            TableName: tableName,
            Key: runKey(period),
            UpdateExpression: 'SET #s = :complete',
            ConditionExpression: '#s = :running AND recorded = :true AND doneJobs >= recordedJobs',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':complete': 'complete', ':running': 'running', ':true': true },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },

    /** Every payout of a run, or of one influencer in it. */
    async payouts(period: string, influencerId?: string): Promise<PayoutRecord[]> {
      const payouts: PayoutRecord[] = [];
      const items = queryAll({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': runPk(period),
          ':prefix': influencerId ? `PAYOUT#${influencerId}#` : 'PAYOUT#',
        },
        ConsistentRead: true,
      });
      for await (const item of items) payouts.push(payoutEntity.fromItem(tableName, item));
      return payouts;
    },

    /**
     * Every payout of an influencer, of every period, oldest period first (index
     * `payoutsByInfluencer`; eventually consistent). Payouts decided before the index existed are
     * not in it.
     */
    async payoutsOf(influencerId: string): Promise<PayoutRecord[]> {
      const payouts: PayoutRecord[] = [];
      const items = queryAll({
        TableName: tableName,
        IndexName: 'payoutsByInfluencer',
        KeyConditionExpression: 'payoutsOf = :i',
        ExpressionAttributeValues: { ':i': influencerId },
      });
      for await (const item of items) payouts.push(payoutEntity.fromItem(tableName, item));
      return payouts;
    },

    /** A payout by its id (consistent read); undefined when there is none, or the id is not one. */
    async payout(payoutId: string): Promise<PayoutRecord | undefined> {
      const named = parsePayoutId(payoutId);
      if (!named) return undefined;
      const out = await dynamo().send(
        new GetCommand({
          TableName: tableName,
          Key: payoutKey(named.period, named.influencerId, named.currency),
          ConsistentRead: true,
        }),
      );
      return out.Item ? payoutEntity.fromItem(tableName, out.Item) : undefined;
    },

    /**
     * Records the settlement of a payout that is payable, final and not settled yet, in one
     * conditional UpdateItem, so that of two concurrent settlements exactly one is recorded;
     * `refused` when the payout no longer meets that condition (read it again to see why).
     */
    async settle(payout: PayoutRecord, settlement: Settlement): Promise<SettleResult> {
      try {
        const out = await dynamo().send(
          new UpdateCommand({
            TableName: tableName,
            Key: payoutKey(payout.period, payout.influencerId, payout.currency),
            UpdateExpression: 'SET settlement = :settlement',
            ConditionExpression:
              'attribute_exists(pk) AND #s = :payable AND #state = :done AND attribute_not_exists(settlement)',
            ExpressionAttributeNames: { '#s': 'status', '#state': 'state' },
            ExpressionAttributeValues: {
              ':settlement': { reference: settlement.reference, settledAt: settlement.settledAt },
              ':payable': 'payable',
              ':done': 'done',
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        if (!out.Attributes) throw new Error(`Settling payout ${payout.payoutId} returned no item.`);
        return { kind: 'settled', payout: payoutEntity.fromItem(tableName, out.Attributes) };
      } catch (err) {
        if (isConditionFailure(err)) return { kind: 'refused' };
        throw err;
      }
    },

    /** Records a decided payout; false if one exists already (an overlapping run decided first). */
    async createPayout(payout: PayoutRecord): Promise<boolean> {
      try {
        await dynamo().send(
          new UpdateCommand({
            TableName: tableName,
            Key: payoutKey(payout.period, payout.influencerId, payout.currency),
            UpdateExpression:
              'SET #period = :period, influencerId = :i, currency = :c, payoutId = :id, #s = :status, #state = :state, ' +
              'amountMinor = :amount, #items = :items, markedMinor = :zero, markedItems = :zero, #itemType = :type, ' +
              'payoutsOf = :i, createdAt = :createdAt',
            ConditionExpression: 'attribute_not_exists(pk)',
            // Reserved words in DynamoDB expressions: always through placeholders.
            ExpressionAttributeNames: {
              '#s': 'status',
              '#state': 'state',
              '#items': 'items',
              '#period': 'period',
              '#itemType': ITEM_TYPE,
            },
            ExpressionAttributeValues: {
              ':period': payout.period,
              ':i': payout.influencerId,
              ':c': payout.currency,
              ':id': payout.payoutId,
              ':status': payout.status,
              ':state': payout.state,
              ':amount': payout.amountMinor,
              ':items': payout.items,
              ':zero': 0,
              ':type': payoutEntity.itemType,
              // Only the earliest time it may be settled at; no figure of the run depends on it.
              ':createdAt': payout.createdAt ?? formatInstant(Date.now()),
            },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },

    /** Adds marked items to a payout still marking, in the same transaction that marks them. */
    progress(payout: PayoutRecord, amountMinor: number, items: number): TransactItem {
      return {
        Update: {
          TableName: tableName,
          Key: payoutKey(payout.period, payout.influencerId, payout.currency),
          UpdateExpression: 'ADD markedMinor :a, markedItems :n',
          ConditionExpression: '#state = :marking',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':a': amountMinor, ':n': items, ':marking': 'marking' },
        },
      };
    },

    /** Ends marking: the payout's total is what was marked, exactly. */
    async finish(payout: PayoutRecord): Promise<void> {
      await dynamo()
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: payoutKey(payout.period, payout.influencerId, payout.currency),
            UpdateExpression: 'SET #state = :done, amountMinor = markedMinor, #items = markedItems',
            ConditionExpression: '#state = :marking',
            ExpressionAttributeNames: { '#state': 'state', '#items': 'items' },
            ExpressionAttributeValues: { ':done': 'done', ':marking': 'marking' },
          }),
        )
        .catch((err: unknown) => {
          if (!isConditionFailure(err)) throw err; // finished by an overlapping job
        });
    },
  };
}
export type PayoutRepo = ReturnType<typeof payoutRepo>;
