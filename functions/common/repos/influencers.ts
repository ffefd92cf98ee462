/**
 * Influencer items in the config table, with two kinds of uniqueness guard written in the same
 * transaction: `HANDLE#<lower-case handle>` and `COUPON#<upper-case code>` (a coupon belongs to one
 * influencer and is matched case-insensitively, CONTRACT §5).
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import { failedConditions } from './errors';

export interface Influencer {
  influencerId: string;
  handle: string;
  name: string;
  payoutMinimumMinor: number;
  couponCodes: string[];
  createdAt: string;
}

const influencerKey = (influencerId: string) => ({ pk: `INFLUENCER#${influencerId}`, sk: 'INFLUENCER' });
const handleKey = (handle: string) => ({ pk: `HANDLE#${handle.toLowerCase()}`, sk: 'HANDLE' });
export const couponKey = (code: string) => ({ pk: `COUPON#${code.toUpperCase()}`, sk: 'COUPON' });

export type CreateInfluencerResult =
  | { ok: true }
  | { ok: false; taken: 'influencerId' | 'handle' | 'couponCode'; value: string };

export function influencerRepo(tableName: string) {
  return {
    async create(influencer: Influencer): Promise<CreateInfluencerResult> {
      const guards = [
        { key: handleKey(influencer.handle), taken: 'handle' as const, value: influencer.handle },
        ...influencer.couponCodes.map((code) => ({
          key: couponKey(code),
          taken: 'couponCode' as const,
          value: code,
        })),
      ];
      try {
        await dynamo().send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...influencerKey(influencer.influencerId), type: 'influencer', ...influencer },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              ...guards.map((guard) => ({
                Put: {
                  TableName: tableName,
                  Item: {
                    ...guard.key,
                    type: guard.taken,
                    influencerId: influencer.influencerId,
                    value: guard.value,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              })),
            ],
          }),
        );
        return { ok: true };
      } catch (err) {
        const failed = failedConditions(err);
        const first = failed[0];
        if (first === undefined) throw err;
        if (first === 0) return { ok: false, taken: 'influencerId', value: influencer.influencerId };
        const guard = guards[first - 1];
        if (!guard) throw err;
        return { ok: false, taken: guard.taken, value: guard.value };
      }
    },

    async get(influencerId: string): Promise<Influencer | undefined> {
      const out = await dynamo().send(
        new GetCommand({ TableName: tableName, Key: influencerKey(influencerId) }),
      );
      if (!out.Item) return undefined;
      const { pk: _pk, sk: _sk, type: _type, ...influencer } = out.Item;
      return influencer as Influencer;
    },

    /** The influencer owning a coupon code, matched case-insensitively. */
    async couponOwner(code: string): Promise<string | undefined> {
      const out = await dynamo().send(new GetCommand({ TableName: tableName, Key: couponKey(code) }));
      return typeof out.Item?.influencerId === 'string' ? out.Item.influencerId : undefined;
    },
  };
}
export type InfluencerRepo = ReturnType<typeof influencerRepo>;
