/**
 * Influencer items in the config table, with two kinds of uniqueness guard written in the same
 * transaction: `HANDLE#<lower-case handle>` and `COUPON#<upper-case code>` (a coupon belongs to one
 * influencer and is matched case-insensitively, CONTRACT §5).
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import * as z from '../schemas/zod';
import { failedConditions } from './errors';
import { entity } from './items';

const influencerSchema = z.object({
  influencerId: z.string(),
  handle: z.string(),
  name: z.string(),
  payoutMinimumMinor: z.int(),
  couponCodes: z.array(z.string()),
  createdAt: z.string(),
});
export type Influencer = z.output<typeof influencerSchema>;

/** Also read by repos/api-keys.ts, whose key creation checks that the influencer exists. */
export const influencerKey = (influencerId: string) => ({
  pk: `INFLUENCER#${influencerId}`,
  sk: 'INFLUENCER',
});
const handleKey = (handle: string) => ({ pk: `HANDLE#${handle.toLowerCase()}`, sk: 'HANDLE' });
export const couponKey = (code: string) => ({ pk: `COUPON#${code.toUpperCase()}`, sk: 'COUPON' });

const keyAttributes = ['pk', 'sk'];
const influencerEntity = entity({ itemType: 'influencer', keyAttributes, schema: influencerSchema });
/** The uniqueness guards: which influencer holds a handle or a coupon code. */
const guardSchema = z.object({ influencerId: z.string(), value: z.string() });
const handleGuard = entity({ itemType: 'handle', keyAttributes, schema: guardSchema });
const couponGuard = entity({ itemType: 'couponCode', keyAttributes, schema: guardSchema });

export type CreateInfluencerResult =
  | { ok: true }
  | { ok: false; taken: 'influencerId' | 'handle' | 'couponCode'; value: string };

export function influencerRepo(tableName: string) {
  return {
    async create(influencer: Influencer): Promise<CreateInfluencerResult> {
      const guards = [
        {
          key: handleKey(influencer.handle),
          guard: handleGuard,
          taken: 'handle' as const,
          value: influencer.handle,
        },
        ...influencer.couponCodes.map((code) => ({
          key: couponKey(code),
          guard: couponGuard,
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
                  Item: influencerEntity.toItem(influencerKey(influencer.influencerId), influencer),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              ...guards.map((guard) => ({
                Put: {
                  TableName: tableName,
                  Item: guard.guard.toItem(guard.key, {
                    influencerId: influencer.influencerId,
                    value: guard.value,
                  }),
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
      return out.Item ? influencerEntity.fromItem(tableName, out.Item) : undefined;
    },

    /** The influencer owning a coupon code, matched case-insensitively. */
    async couponOwner(code: string): Promise<string | undefined> {
      const out = await dynamo().send(new GetCommand({ TableName: tableName, Key: couponKey(code) }));
      return out.Item ? couponGuard.fromItem(tableName, out.Item).influencerId : undefined;
    },
  };
}
export type InfluencerRepo = ReturnType<typeof influencerRepo>;
