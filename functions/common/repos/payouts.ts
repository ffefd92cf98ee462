/**
 * The payouts table. Per run, one partition `RUN#<period>`:
 *   sk = RUN                                the run: running or complete; how far its payee set is
 *                                           recorded and its jobs queued; jobs recorded and done;
 *   sk = JOB#<influencerId>                 that influencer is a payee of the run: `pending` until its
 *                                           job finishes, then `done` (makes redelivery harmless);
 *   sk = PAYOUT#<influencerId>#<currency>   a payout: payable (its items marked paid by it, as they
 *                                           are marked, in the same transactions) or carried over.
 * And `LATEST`: the latest period ever started, which earlier new periods may not precede.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import type { PayoutStatus } from '../domain/payout';
import { isConditionFailure } from './errors';
import type { TransactItem } from './orders';

/** Where recording the payee set goes on: a shard of the `payees` index and a page in it. */
export interface PayeeCursor {
  shard: number;
  start?: Record<string, unknown>;
}

/**
 * A run's payee set is recorded once, in pages (each page's job markers and the run's progress in
 * one transaction, conditioned on the page number, so overlapping starts record each page once);
 * only then are jobs queued, in marker order, with the progress kept in `queuedThrough`. The run
 * completes when it is recorded and every recorded job is done.
 */
export interface RunRecord {
  period: string;
  status: 'running' | 'complete';
  doneJobs: number;
  /** Pages of the payee set recorded so far. */
  recordedPages: number;
  /** The next page to record; absent once `recorded`. */
  payeeCursor?: PayeeCursor;
  /** The payee set is complete: no job is ever added to the run. */
  recorded: boolean;
  recordedJobs: number;
  /** The sort key of the last job marker queued in marker order. */
  queuedThrough?: string;
  /** Every recorded job was queued once. */
  queued: boolean;
}

export interface JobMarker {
  influencerId: string;
  state: 'pending' | 'done';
}

/** Job markers per recording transaction: with the run's own update, within DynamoDB's 100 items. */
export const MAX_RECORD_PAGE = 99;

export interface PayoutRecord {
  period: string;
  influencerId: string;
  currency: string;
  payoutId: string;
  status: PayoutStatus;
  /** `marking` while a payable payout's items are being marked paid; `done` once its total is final. */
  state: 'marking' | 'done';
  /** Final total (done), or the total found when the run decided (marking). */
  amountMinor: number;
  items: number;
  markedMinor: number;
  markedItems: number;
}

const runPk = (period: string) => `RUN#${period}`;
export const payoutIdOf = (period: string, influencerId: string, currency: string) =>
  `${period}#${influencerId}#${currency}`;

export function payoutRepo(tableName: string) {
  const payoutKey = (period: string, influencerId: string, currency: string) => ({
    pk: runPk(period),
    sk: `PAYOUT#${influencerId}#${currency}`,
  });

  return {
    async run(period: string): Promise<RunRecord | undefined> {
      const out = await dynamo().send(
        new GetCommand({ TableName: tableName, Key: { pk: runPk(period), sk: 'RUN' }, ConsistentRead: true }),
      );
      return out.Item ? (out.Item as unknown as RunRecord) : undefined;
    },

    async latestPeriod(): Promise<string | undefined> {
      const out = await dynamo().send(
        new GetCommand({ TableName: tableName, Key: { pk: 'LATEST', sk: 'LATEST' }, ConsistentRead: true }),
      );
      return typeof out.Item?.period === 'string' ? out.Item.period : undefined;
    },

    /** The new run and the latest period, together; false if the run exists or a later period ran. */
    startItems(period: string): TransactItem[] {
      return [
        {
          Put: {
            TableName: tableName,
            Item: {
              pk: runPk(period),
              sk: 'RUN',
              period,
              status: 'running',
              doneJobs: 0,
              recordedPages: 0,
              payeeCursor: { shard: 0 },
              recorded: false,
              recordedJobs: 0,
              queued: false,
            } satisfies RunRecord & { pk: string; sk: string },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: { pk: 'LATEST', sk: 'LATEST' },
            UpdateExpression: 'SET #period = :p',
            ConditionExpression: 'attribute_not_exists(#period) OR #period <= :p',
            ExpressionAttributeNames: { '#period': 'period' },
            ExpressionAttributeValues: { ':p': period },
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
              Item: { pk: runPk(period), sk: `JOB#${influencerId}`, influencerId, state: 'pending' },
              // An influencer is in one page of the payees index only; this guards a done marker.
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          }),
        ),
        {
          Update: {
            TableName: tableName,
            Key: { pk: runPk(period), sk: 'RUN' },
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
      const out = await dynamo().send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :job)',
          ExpressionAttributeValues: { ':pk': runPk(period), ':job': 'JOB#' },
          ConsistentRead: true,
          Limit: limit,
          ...(after ? { ExclusiveStartKey: { pk: runPk(period), sk: after } } : {}),
        }),
      );
      const items = out.Items ?? [];
      return {
        jobs: items.map((item) => ({
          influencerId: String(item.influencerId),
          state: item.state === 'pending' ? 'pending' : 'done',
        })),
        lastSk: items.length ? String(items[items.length - 1]?.sk) : after,
        more: out.LastEvaluatedKey !== undefined,
      };
    },

    /** Moves the queueing progress forward (never back: overlapping starts queue the same markers). */
    async queuedThrough(period: string, sk: string, finished: boolean): Promise<void> {
      await dynamo()
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: runPk(period), sk: 'RUN' },
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
          Key: { pk: runPk(period), sk: 'RUN' },
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
          Key: { pk: runPk(period), sk: `JOB#${influencerId}` },
          ConsistentRead: true,
        }),
      );
      if (!out.Item) return undefined;
      return { influencerId, state: out.Item.state === 'pending' ? 'pending' : 'done' };
    },

    /** The job's marker turned done and the run's count, together: a redelivered job counts once. */
    jobDoneItems(period: string, influencerId: string): TransactItem[] {
      return [
        {
          Update: {
            TableName: tableName,
            Key: { pk: runPk(period), sk: `JOB#${influencerId}` },
            UpdateExpression: 'SET #state = :done',
            ConditionExpression: '#state = :pending',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':done': 'done', ':pending': 'pending' },
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: { pk: runPk(period), sk: 'RUN' },
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
            Key: { pk: runPk(period), sk: 'RUN' },
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
      let start: Record<string, unknown> | undefined;
      do {
        const out = await dynamo().send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: {
              ':pk': runPk(period),
              ':prefix': influencerId ? `PAYOUT#${influencerId}#` : 'PAYOUT#',
            },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of out.Items ?? []) {
          const { pk: _pk, sk: _sk, ...payout } = item;
          payouts.push(payout as PayoutRecord);
        }
        start = out.LastEvaluatedKey;
      } while (start);
      return payouts;
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
              'amountMinor = :amount, #items = :items, markedMinor = :zero, markedItems = :zero',
            ConditionExpression: 'attribute_not_exists(pk)',
            // Reserved words in DynamoDB expressions: always through placeholders.
            ExpressionAttributeNames: {
              '#s': 'status',
              '#state': 'state',
              '#items': 'items',
              '#period': 'period',
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
