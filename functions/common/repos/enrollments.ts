/**
 * Enrollment items in the config table (CONTRACT §10), in the merchant's partition:
 * `pk = MERCHANT#<merchantId>`, `sk = ENROLLMENT#<influencerId>`, so "the influencers of a merchant"
 * is one Query of that partition; indexed on `gsi1` by influencer (`gsi1pk = INFLUENCER#<id>`,
 * `gsi1sk = ENROLLMENT#<merchantId>`, beside its links and storefronts), so "the programs of an
 * influencer" is one Query too.
 */
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import { type Terms, termsSchema } from '../schemas/programs';
import * as z from '../schemas/zod';
import { entity, queryAll, type TransactItem } from './items';

const enrollmentItemSchema = z.object({
  merchantId: z.string(),
  influencerId: z.string(),
  terms: termsSchema,
  enrolledAt: z.string(),
  updatedAt: z.string(),
  /**
   * Moved by every change of terms, so a change planned from what was read (its fees) is written
   * only if nobody changed the enrollment meanwhile. Absent before the first change of terms.
   */
  version: z.optional(z.int()),
});
export type Enrollment = z.output<typeof enrollmentItemSchema>;

const PREFIX = 'ENROLLMENT#';
export const enrollmentKey = (merchantId: string, influencerId: string) => ({
  pk: `MERCHANT#${merchantId}`,
  sk: `${PREFIX}${influencerId}`,
});
const indexKey = (merchantId: string, influencerId: string) => ({
  gsi1pk: `INFLUENCER#${influencerId}`,
  gsi1sk: `${PREFIX}${merchantId}`,
});
const enrollmentEntity = entity({
  itemType: 'enrollment',
  keyAttributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
  schema: enrollmentItemSchema,
});

export function enrollmentRepo(tableName: string) {
  const fromItem = (item: Record<string, unknown>) => enrollmentEntity.fromItem(tableName, item);
  return {
    keyOf: enrollmentKey,

    /** `consistent` for a read that a change is planned from. */
    async get(merchantId: string, influencerId: string, consistent = false): Promise<Enrollment | undefined> {
      const out = await dynamo().send(
        new GetCommand({
          TableName: tableName,
          Key: enrollmentKey(merchantId, influencerId),
          ...(consistent ? { ConsistentRead: true } : {}),
        }),
      );
      return out.Item ? fromItem(out.Item) : undefined;
    },

    /**
     * A transaction item that enrolls the pair on these terms, or replaces its terms (the first
     * enrollment's time is kept), if the enrollment is still as read (`read`, absent when there was
     * none): its fees are written in the same transaction, planned from that read.
     */
    putItem(
      merchantId: string,
      influencerId: string,
      terms: Terms,
      at: string,
      read: Enrollment | undefined,
    ): TransactItem {
      const version = read?.version;
      return {
        Update: {
          TableName: tableName,
          Key: enrollmentKey(merchantId, influencerId),
          UpdateExpression:
            'SET itemType = :type, merchantId = :m, influencerId = :i, terms = :terms, gsi1pk = :g1, gsi1sk = :g2, enrolledAt = if_not_exists(enrolledAt, :at), updatedAt = :at, version = :next',
          ConditionExpression: version === undefined ? 'attribute_not_exists(version)' : 'version = :version',
          ExpressionAttributeValues: {
            ':type': enrollmentEntity.itemType,
            ':m': merchantId,
            ':i': influencerId,
            ':terms': terms,
            ':g1': indexKey(merchantId, influencerId).gsi1pk,
            ':g2': indexKey(merchantId, influencerId).gsi1sk,
            ':at': at,
            ':next': (version ?? 0) + 1,
            ...(version === undefined ? {} : { ':version': version }),
          },
        },
      };
    },

    /**
     * A transaction item that enrolls the pair with no terms, and leaves an existing enrollment as
     * it is (every field is set only if absent), so a link creation can enroll in the same
     * transaction that creates the link: both happen, or neither.
     */
    ensureItem(merchantId: string, influencerId: string, at: string): TransactItem {
      const g = indexKey(merchantId, influencerId);
      return {
        Update: {
          TableName: tableName,
          Key: enrollmentKey(merchantId, influencerId),
          UpdateExpression:
            'SET itemType = if_not_exists(itemType, :type), merchantId = if_not_exists(merchantId, :m), influencerId = if_not_exists(influencerId, :i), terms = if_not_exists(terms, :terms), gsi1pk = if_not_exists(gsi1pk, :g1), gsi1sk = if_not_exists(gsi1sk, :g2), enrolledAt = if_not_exists(enrolledAt, :at), updatedAt = if_not_exists(updatedAt, :at)',
          ExpressionAttributeValues: {
            ':type': enrollmentEntity.itemType,
            ':m': merchantId,
            ':i': influencerId,
            ':terms': {},
            ':g1': g.gsi1pk,
            ':g2': g.gsi1sk,
            ':at': at,
          },
        },
      };
    },

    /** A transaction item that holds only while the pair is enrolled (a link made on an enrollment). */
    existsCheck(merchantId: string, influencerId: string): TransactItem {
      return {
        ConditionCheck: {
          TableName: tableName,
          Key: enrollmentKey(merchantId, influencerId),
          ConditionExpression: 'attribute_exists(pk)',
        },
      };
    },

    /**
     * A transaction item that ends the enrollment as read (its unpaid fees are cancelled in the
     * same transaction); it fails if the enrollment is gone or was changed meanwhile.
     */
    deleteItem(read: Enrollment): TransactItem {
      return {
        Delete: {
          TableName: tableName,
          Key: enrollmentKey(read.merchantId, read.influencerId),
          ConditionExpression:
            read.version === undefined
              ? 'attribute_exists(pk) AND attribute_not_exists(version)'
              : 'version = :version',
          ...(read.version === undefined ? {} : { ExpressionAttributeValues: { ':version': read.version } }),
        },
      };
    },

    /**
     * The enrollments of these influencers with one merchant, in one BatchGetItem (at most 100 ids:
     * an order credits at most 20), read strongly consistent so that a `PUT` of terms is in force
     * for every order credited after it. Unprocessed keys are asked for again.
     */
    async ofInfluencers(
      merchantId: string,
      influencerIds: readonly string[],
    ): Promise<Map<string, Enrollment>> {
      const found = new Map<string, Enrollment>();
      let keys = [...new Set(influencerIds)].map((id) => enrollmentKey(merchantId, id));
      if (keys.length > 100) throw new RangeError('At most 100 enrollments are read at once.');
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        const out = await dynamo().send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[tableName] ?? []) {
          const enrollment = fromItem(item);
          found.set(enrollment.influencerId, enrollment);
        }
        keys = (out.UnprocessedKeys?.[tableName]?.Keys ?? []) as typeof keys;
        if (attempt >= 8 && keys.length > 0) throw new Error('Enrollments could not be read; try again.');
      }
      return found;
    },

    /** The influencers of a merchant, by influencer id. */
    async ofMerchant(merchantId: string): Promise<Enrollment[]> {
      const items: Enrollment[] = [];
      for await (const item of queryAll({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `MERCHANT#${merchantId}`, ':prefix': PREFIX },
      })) {
        items.push(fromItem(item));
      }
      return items;
    },

    /** The programs of an influencer, by merchant id. */
    async ofInfluencer(influencerId: string): Promise<Enrollment[]> {
      const items: Enrollment[] = [];
      for await (const item of queryAll({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `INFLUENCER#${influencerId}`, ':prefix': PREFIX },
      })) {
        items.push(fromItem(item));
      }
      return items;
    },
  };
}
export type EnrollmentRepo = ReturnType<typeof enrollmentRepo>;
