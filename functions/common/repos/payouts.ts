/**
 * The payouts table. Per run, one partition `RUN#<period>`:
 *   sk = RUN                                the run: running or complete, jobs expected and done;
 *   sk = JOB#<influencerId>                 that influencer's job finished (makes redelivery harmless);
 *   sk = PAYOUT#<influencerId>#<currency>   a payout: payable (its items marked paid by it, as they
 *                                           are marked, in the same transactions) or carried over.
 * And `LATEST`: the latest period ever started, which earlier new periods may not precede.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import type { PayoutStatus } from '../domain/payout';
import { isConditionFailure } from './errors';
import type { TransactItem } from './orders';

export interface RunRecord {
  period: string;
  status: 'running' | 'complete';
  expectedJobs?: number;
  doneJobs: number;
}

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
            Item: { pk: runPk(period), sk: 'RUN', period, status: 'running', doneJobs: 0 },
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

    async setExpectedJobs(period: string, expectedJobs: number): Promise<void> {
      await dynamo()
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: runPk(period), sk: 'RUN' },
            UpdateExpression: 'SET expectedJobs = :n',
            ConditionExpression: 'attribute_not_exists(expectedJobs)',
            ExpressionAttributeValues: { ':n': expectedJobs },
          }),
        )
        .catch((err: unknown) => {
          // Another start of the same run counted them already.
          if (!isConditionFailure(err)) throw err;
        });
    },

    async jobDone(period: string, influencerId: string): Promise<boolean> {
      const out = await dynamo().send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: runPk(period), sk: `JOB#${influencerId}` },
          ConsistentRead: true,
        }),
      );
      return out.Item !== undefined;
    },

    /** The job's done marker and the run's count, together: a redelivered job counts once. */
    jobDoneItems(period: string, influencerId: string): TransactItem[] {
      return [
        {
          Put: {
            TableName: tableName,
            Item: { pk: runPk(period), sk: `JOB#${influencerId}`, influencerId },
            ConditionExpression: 'attribute_not_exists(pk)',
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

    /** Completes the run once every expected job is done; false while some are not. */
    async completeIfDone(period: string): Promise<boolean> {
      try {
        await dynamo().send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: runPk(period), sk: 'RUN' },
            UpdateExpression: 'SET #s = :complete',
            ConditionExpression: '#s = :running AND doneJobs >= expectedJobs',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':complete': 'complete', ':running': 'running' },
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
