/**
 * Merchant items in the config table: `pk = MERCHANT#<id>`, `sk = MERCHANT`. The webhook secrets
 * live on the item, sealed (AES-GCM, key derived from the master secret), so one read gives the
 * ingest path both the merchant's settings and the keys to verify a signature.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import { ATTRIBUTION_MODELS } from '../domain/attribution-models';
import * as z from '../schemas/zod';
import { isConditionFailure } from './errors';
import { entity } from './items';

/** Commission rates as stored: basis points, the default and per category. */
export const commissionSchema = z.object({
  defaultBps: z.int(),
  categoryBps: z.optional(z.record(z.string(), z.int())),
});
export type Commission = z.output<typeof commissionSchema>;

const sealedSecretSchema = z.object({
  secretId: z.string(),
  sealed: z.string(),
  createdAt: z.string(),
  /** Set when a newer secret replaced this one: it keeps verifying until then. */
  expiresAt: z.optional(z.string()),
});
export type SealedSecret = z.output<typeof sealedSecretSchema>;

const merchantSchema = z.object({
  merchantId: z.string(),
  name: z.string(),
  allowedDomains: z.array(z.string()),
  currency: z.string(),
  clickIdParam: z.string(),
  attributionModel: z.enum(ATTRIBUTION_MODELS),
  attributionWindowDays: z.int(),
  holdDays: z.int(),
  commission: commissionSchema,
  createdAt: z.string(),
  webhookSecrets: z.array(sealedSecretSchema),
  /** Optimistic-lock counter for read-modify-write updates (secret rotation). */
  version: z.int(),
});
export type Merchant = z.output<typeof merchantSchema>;

/** Also read by repos/api-keys.ts, whose key creation checks that the merchant exists. */
export const merchantKey = (merchantId: string) => ({ pk: `MERCHANT#${merchantId}`, sk: 'MERCHANT' });
const merchantEntity = entity({ itemType: 'merchant', keyAttributes: ['pk', 'sk'], schema: merchantSchema });

export function merchantRepo(tableName: string) {
  return {
    /** Creates the merchant; false when the id is taken. */
    async create(merchant: Merchant): Promise<boolean> {
      try {
        await dynamo().send(
          new PutCommand({
            TableName: tableName,
            Item: merchantEntity.toItem(merchantKey(merchant.merchantId), merchant),
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
      const out = await dynamo().send(new GetCommand({ TableName: tableName, Key: merchantKey(merchantId) }));
      return out.Item ? merchantEntity.fromItem(tableName, out.Item) : undefined;
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
            Key: merchantKey(merchantId),
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
