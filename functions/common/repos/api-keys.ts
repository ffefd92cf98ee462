/**
 * API keys in the config table (CONTRACT §11). A key is stored only as its SHA-256, as three items
 * written and deleted together in one transaction:
 * - by hash: `pk = APIKEY#<sha256 hex>`, `sk = APIKEY` → which key of which owner; verifying a key
 *   is one GetItem of this item, found by the hash of what was presented.
 * - in its owner's partition: `pk = MERCHANT#<id>` or `INFLUENCER#<id>`, `sk = APIKEY#<keyId>` →
 *   name, times, last use; an owner's keys are one Query (`begins_with(sk, 'APIKEY#')`).
 * - the owner's count: same `pk`, `sk = APIKEYS` → `keyCount`, which bounds the keys per owner
 *   exactly under concurrent creations (a condition on the count in the creating transaction).
 */
import {
  GetCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import { API_KEY_KINDS, type ApiKeyKind } from '../domain/api-keys';
import * as z from '../schemas/zod';
import { failedConditions, isConditionFailure } from './errors';
import { influencerKey } from './influencers';
import { entity, queryAll } from './items';
import { merchantKey } from './merchants';

const byHashSchema = z.object({
  keyId: z.string(),
  kind: z.enum(API_KEY_KINDS),
  ownerId: z.string(),
  /** The hash again, as an attribute, for the constant-time re-check after the lookup. */
  keyHash: z.string(),
});
export type StoredApiKey = z.output<typeof byHashSchema>;

const ownedSchema = z.object({
  keyId: z.string(),
  name: z.string(),
  keyHash: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.optional(z.string()),
});
export type OwnedApiKey = z.output<typeof ownedSchema>;

const byHash = entity({ itemType: 'apiKey', keyAttributes: ['pk', 'sk'], schema: byHashSchema });
const owned = entity({ itemType: 'ownedApiKey', keyAttributes: ['pk', 'sk'], schema: ownedSchema });
const COUNT_TYPE = 'apiKeyCount';

const OWNED_PREFIX = 'APIKEY#';
const hashKey = (hash: string) => ({ pk: `APIKEY#${hash}`, sk: 'APIKEY' });
const ownerRootKey = (kind: ApiKeyKind, ownerId: string) =>
  kind === 'merchant' ? merchantKey(ownerId) : influencerKey(ownerId);
const ownedKey = (kind: ApiKeyKind, ownerId: string, keyId: string) => ({
  pk: ownerRootKey(kind, ownerId).pk,
  sk: `${OWNED_PREFIX}${keyId}`,
});
const countKey = (kind: ApiKeyKind, ownerId: string) => ({
  pk: ownerRootKey(kind, ownerId).pk,
  sk: 'APIKEYS',
});

export interface NewApiKey {
  kind: ApiKeyKind;
  ownerId: string;
  keyId: string;
  name: string;
  hash: string;
  createdAt: string;
}

export type CreateApiKeyResult =
  | { ok: true }
  | { ok: false; reason: 'unknown_owner' | 'limit' | 'collision' };

export function apiKeyRepo(tableName: string) {
  return {
    /**
     * Stores a new key if its owner exists and holds fewer than `maxPerOwner` keys; nothing is
     * written otherwise. `collision` (a key id or hash already stored) is for the caller to retry.
     */
    async create(key: NewApiKey, maxPerOwner: number): Promise<CreateApiKeyResult> {
      try {
        await dynamo().send(
          new TransactWriteCommand({
            TransactItems: [
              {
                ConditionCheck: {
                  TableName: tableName,
                  Key: ownerRootKey(key.kind, key.ownerId),
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: countKey(key.kind, key.ownerId),
                  UpdateExpression: 'SET itemType = :type, keyCount = if_not_exists(keyCount, :zero) + :one',
                  ConditionExpression: 'attribute_not_exists(keyCount) OR keyCount < :max',
                  ExpressionAttributeValues: {
                    ':type': COUNT_TYPE,
                    ':zero': 0,
                    ':one': 1,
                    ':max': maxPerOwner,
                  },
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: byHash.toItem(hashKey(key.hash), {
                    keyId: key.keyId,
                    kind: key.kind,
                    ownerId: key.ownerId,
                    keyHash: key.hash,
                  }),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: owned.toItem(ownedKey(key.kind, key.ownerId, key.keyId), {
                    keyId: key.keyId,
                    name: key.name,
                    keyHash: key.hash,
                    createdAt: key.createdAt,
                  }),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return { ok: true };
      } catch (err) {
        const failed = failedConditions(err);
        if (failed.includes(0)) return { ok: false, reason: 'unknown_owner' };
        if (failed.includes(1)) return { ok: false, reason: 'limit' };
        if (failed.length > 0) return { ok: false, reason: 'collision' };
        throw err;
      }
    },

    /** The owner's keys, by key id (never a hash leaves through the caller's view). */
    async list(kind: ApiKeyKind, ownerId: string): Promise<OwnedApiKey[]> {
      const input: QueryCommandInput = {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': ownerRootKey(kind, ownerId).pk, ':prefix': OWNED_PREFIX },
        ConsistentRead: true,
      };
      const keys: OwnedApiKey[] = [];
      for await (const item of queryAll(input)) keys.push(owned.fromItem(tableName, item));
      return keys;
    },

    /** Deletes the key's three items together; false when the owner has no such key. */
    async delete(kind: ApiKeyKind, ownerId: string, keyId: string): Promise<boolean> {
      const out = await dynamo().send(
        new GetCommand({ TableName: tableName, Key: ownedKey(kind, ownerId, keyId), ConsistentRead: true }),
      );
      if (!out.Item) return false;
      const { keyHash } = owned.fromItem(tableName, out.Item);
      try {
        await dynamo().send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tableName,
                  Key: ownedKey(kind, ownerId, keyId),
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              { Delete: { TableName: tableName, Key: hashKey(keyHash) } },
              {
                Update: {
                  TableName: tableName,
                  Key: countKey(kind, ownerId),
                  UpdateExpression: 'SET keyCount = keyCount - :one',
                  ConditionExpression: 'keyCount > :zero',
                  ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
                },
              },
            ],
          }),
        );
        return true;
      } catch (err) {
        // Deleted concurrently by another request: that one answered 204, this one finds nothing.
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },

    /**
     * The key stored under this hash, read strongly consistent so that a deletion that has answered
     * is seen by the next read (the verifier's cache bounds how long a deleted key still works).
     */
    async findByHash(hash: string): Promise<StoredApiKey | undefined> {
      const out = await dynamo().send(
        new GetCommand({ TableName: tableName, Key: hashKey(hash), ConsistentRead: true }),
      );
      return out.Item ? byHash.fromItem(tableName, out.Item) : undefined;
    },

    /**
     * Records a use at `at` unless one at or after `notBefore` is recorded already (another
     * instance wrote it), and never brings a deleted key's item back: false when nothing changed.
     */
    async recordUse(key: StoredApiKey, at: string, notBefore: string): Promise<boolean> {
      try {
        await dynamo().send(
          new UpdateCommand({
            TableName: tableName,
            Key: ownedKey(key.kind, key.ownerId, key.keyId),
            UpdateExpression: 'SET lastUsedAt = :at',
            ConditionExpression:
              'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :since)',
            ExpressionAttributeValues: { ':at': at, ':since': notBefore },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },
  };
}
export type ApiKeyRepo = ReturnType<typeof apiKeyRepo>;
