/**
 * The payouts table. Per run, one partition `RUN#<period>`:
 *   sk = RUN                                the run: running or complete, jobs expected and done;
 *   sk = JOB#<influencerId>                 that influencer's job finished (makes redelivery harmless);
 *   sk = PAYOUT#<influencerId>#<currency>   a payout: payable (its items marked paid by it, as they
 *                                           are marked, in the same transactions) or carried over.
 * And `LATEST`: the latest period ever started, which earlier new periods may not precede.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { dynamo } from '../clients/aws';
import { isConditionFailure } from './errors';
import { entity, ITEM_TYPE, queryAll } from './items';
import type { TransactItem } from './orders';

const runSchema = z.object({
  period: z.string(),
  status: z.enum(['running', 'complete']),
  expectedJobs: z.int().optional(),
  doneJobs: z.int(),
});
export type RunRecord = z.output<typeof runSchema>;

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
});
export type PayoutRecord = z.output<typeof payoutSchema>;

const keyAttributes = ['pk', 'sk'];
const runEntity = entity({ itemType: 'payoutRun', keyAttributes, schema: runSchema });
const payoutEntity = entity({ itemType: 'payout', keyAttributes, schema: payoutSchema });
const jobEntity = entity({
  itemType: 'payoutJob',
  keyAttributes,
  schema: z.object({ influencerId: z.string() }),
});
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
            Item: runEntity.toItem(runKey(period), { period, status: 'running', doneJobs: 0 }),
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

    async setExpectedJobs(period: string, expectedJobs: number): Promise<void> {
      await dynamo()
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: runKey(period),
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
          Key: jobKey(period, influencerId),
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
            Item: jobEntity.toItem(jobKey(period, influencerId), { influencerId }),
            ConditionExpression: 'attribute_not_exists(pk)',
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

    /** Completes the run once every expected job is done; false while some are not. */
    async completeIfDone(period: string): Promise<boolean> {
      try {
        await dynamo().send(
          new UpdateCommand({
            TableName: tableName,
            Key: runKey(period),
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

    /** Records a decided payout; false if one exists already (an overlapping run decided first). */
    async createPayout(payout: PayoutRecord): Promise<boolean> {
      try {
        await dynamo().send(
          new UpdateCommand({
            TableName: tableName,
            Key: payoutKey(payout.period, payout.influencerId, payout.currency),
            UpdateExpression:
              'SET #period = :period, influencerId = :i, currency = :c, payoutId = :id, #s = :status, #state = :state, ' +
              'amountMinor = :amount, #items = :items, markedMinor = :zero, markedItems = :zero, #itemType = :type',
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
