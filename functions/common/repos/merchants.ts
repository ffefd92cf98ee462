/**
 * Merchant items in the config table: `pk = MERCHANT#<id>`, `sk = MERCHANT`. The webhook secrets
 * live on the item, sealed (AES-GCM, key derived from the master secret), so one read gives the
 * ingest path both the merchant's settings and the keys to verify a signature.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import type { AttributionModel } from '../domain/attribution-models';
import { isConditionFailure } from './errors';

export interface Commission {
  defaultBps: number;
  categoryBps?: Record<string, number>;
}

export interface SealedSecret {
  secretId: string;
  sealed: string;
  createdAt: string;
  /** Set when a newer secret replaced this one: it keeps verifying until then. */
  expiresAt?: string;
}

export interface Merchant {
  merchantId: string;
  name: string;
  allowedDomains: string[];
  currency: string;
  clickIdParam: string;
  attributionModel: AttributionModel;
  attributionWindowDays: number;
  holdDays: number;
  commission: Commission;
  createdAt: string;
  webhookSecrets: SealedSecret[];
  /** Optimistic-lock counter for read-modify-write updates (secret rotation). */
  version: number;
}

const key = (merchantId: string) => ({ pk: `MERCHANT#${merchantId}`, sk: 'MERCHANT' });

export function merchantRepo(tableName: string) {
  return {
    /** Creates the merchant; false when the id is taken. */
    async create(merchant: Merchant): Promise<boolean> {
      try {
        await dynamo().send(
          new PutCommand({
            TableName: tableName,
            Item: { ...key(merchant.merchantId), type: 'merchant', ...merchant },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },

    async get(merchantId: string): Promise<Merchant | undefined> {
      const out = await dynamo().send(new GetCommand({ TableName: tableName, Key: key(merchantId) }));
      return out.Item ? fromItem(out.Item) : undefined;
    },

    /** Replaces the secret list if nobody changed the merchant since `expectedVersion`. */
    async replaceSecrets(
      merchantId: string,
      secrets: SealedSecret[],
      expectedVersion: number,
    ): Promise<boolean> {
      try {
        await dynamo().send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(merchantId),
            UpdateExpression: 'SET webhookSecrets = :secrets, version = :next',
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: {
              ':secrets': secrets,
              ':next': expectedVersion + 1,
              ':expected': expectedVersion,
            },
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
export type MerchantRepo = ReturnType<typeof merchantRepo>;

function fromItem(item: Record<string, unknown>): Merchant {
  const { pk: _pk, sk: _sk, type: _type, ...merchant } = item;
  return merchant as unknown as Merchant;
}
