/**
 * Event endpoints in the config table (CONTRACT §12). They are few (bounded below), and the event
 * pipeline reads every one for each event, so they share one partition that one Query reads:
 * - `pk = ENDPOINTS`, `sk = ENDPOINT#<endpointId>` → the endpoint, with its signing secret sealed
 *   as merchants' webhook secrets are (AES-GCM under the webhook-seal key, bound to the endpoint).
 * - `pk = ENDPOINTS`, `sk = COUNT` → how many endpoints there are in all;
 *   `pk = MERCHANT#<id>` or `INFLUENCER#<id>`, `sk = ENDPOINTS` → how many are scoped to that
 *   owner. The counts bound the endpoints exactly under concurrent creations (conditions in the
 *   creating transaction), as the API-key count does.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, type QueryCommandInput, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import { webhookSealKey } from '../config/keys';
import { open, seal } from '../crypto/secret-box';
import { ENDPOINT_EVENT_TYPES } from '../schemas/endpoints';
import * as z from '../schemas/zod';
import { enrollmentKey } from './enrollments';
import { failedConditions, isConditionFailure } from './errors';
import { influencerKey } from './influencers';
import { entity, queryAll, type TransactItem } from './items';
import { merchantKey } from './merchants';

/** At most this many endpoints in all: each event is offered to every one. */
export const MAX_ENDPOINTS = 500;
/**
 * At most this many endpoints scoped to one merchant, and to one influencer. A merchant's own
 * endpoints count against the merchant only: one merchant cannot use up an influencer's share.
 */
export const MAX_ENDPOINTS_PER_OWNER = 20;

const endpointSchema = z.object({
  endpointId: z.string(),
  url: z.string(),
  events: z.array(z.enum(ENDPOINT_EVENT_TYPES)),
  merchantId: z.optional(z.string()),
  influencerId: z.optional(z.string()),
  description: z.optional(z.string()),
  createdAt: z.string(),
  /** Who made it: a merchant's own are the only ones its key may see or delete. */
  createdBy: z._default(z.enum(['operator', 'merchant']), 'operator'),
});
export type Endpoint = z.output<typeof endpointSchema>;

const storedSchema = z.extend(endpointSchema, { sealedSecret: z.string() });
const endpointEntity = entity({ itemType: 'endpoint', keyAttributes: ['pk', 'sk'], schema: storedSchema });
const COUNT_TYPE = 'endpointCount';

const PARTITION = 'ENDPOINTS';
const PREFIX = 'ENDPOINT#';
const endpointKey = (endpointId: string) => ({ pk: PARTITION, sk: `${PREFIX}${endpointId}` });
const totalKey = { pk: PARTITION, sk: 'COUNT' };
const ownerCountKey = (owner: { pk: string }) => ({ pk: owner.pk, sk: 'ENDPOINTS' });

const secretAad = (endpointId: string) => `endpoint:${endpointId}:secret`;

/** A new signing secret: `whsec_` and 24 random bytes in base64 (Standard Webhooks), and its sealed form. */
export async function newEndpointSecret(endpointId: string) {
  const plain = `whsec_${randomBytes(24).toString('base64')}`;
  return { plain, sealed: seal(await webhookSealKey(), plain, secretAad(endpointId)) };
}

/** Who must exist for an endpoint to be stored: its merchant, and its influencer or enrollment. */
export interface EndpointScopeCheck {
  /** `enrolled`: the influencer must be in the merchant's program (a merchant's own route). */
  influencer: 'exists' | 'enrolled';
}

export type CreateEndpointResult =
  | { ok: true }
  | { ok: false; reason: 'unknown_merchant' | 'unknown_influencer' | 'limit' | 'collision' };

const view = ({ sealedSecret: _sealed, ...endpoint }: z.output<typeof storedSchema>): Endpoint => endpoint;

export function endpointRepo(tableName: string) {
  const countUp = (Key: Record<string, string>, max: number): TransactItem => ({
    Update: {
      TableName: tableName,
      Key,
      UpdateExpression: 'SET itemType = :type, endpointCount = if_not_exists(endpointCount, :zero) + :one',
      ConditionExpression: 'attribute_not_exists(endpointCount) OR endpointCount < :max',
      ExpressionAttributeValues: { ':type': COUNT_TYPE, ':zero': 0, ':one': 1, ':max': max },
    },
  });
  const countDown = (Key: Record<string, string>): TransactItem => ({
    Update: {
      TableName: tableName,
      Key,
      UpdateExpression: 'SET endpointCount = endpointCount - :one',
      ConditionExpression: 'endpointCount > :zero',
      ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
    },
  });
  const mustExist = (Key: Record<string, string>): TransactItem => ({
    ConditionCheck: { TableName: tableName, Key, ConditionExpression: 'attribute_exists(pk)' },
  });
  const ownerKeys = (endpoint: Pick<Endpoint, 'merchantId' | 'influencerId' | 'createdBy'>) => [
    ...(endpoint.merchantId ? [merchantKey(endpoint.merchantId)] : []),
    ...(endpoint.influencerId && endpoint.createdBy === 'operator'
      ? [influencerKey(endpoint.influencerId)]
      : []),
  ];

  async function read(endpointId: string) {
    const out = await dynamo().send(
      new GetCommand({ TableName: tableName, Key: endpointKey(endpointId), ConsistentRead: true }),
    );
    return out.Item ? endpointEntity.fromItem(tableName, out.Item) : undefined;
  }

  return {
    /**
     * Stores a new endpoint if its merchant and influencer (when named) exist, or the influencer is
     * enrolled with the merchant (`enrolled`), and no bound is reached; nothing is written otherwise.
     * `collision` (the id is taken) is for the caller to retry with another id.
     */
    async create(
      endpoint: Endpoint,
      sealedSecret: string,
      check: EndpointScopeCheck,
    ): Promise<CreateEndpointResult> {
      const { merchantId, influencerId } = endpoint;
      const items: Array<{ item: TransactItem; reason: CreateEndpointResult & { ok: false } }> = [];
      const because = (reason: (CreateEndpointResult & { ok: false })['reason']) => ({
        ok: false as const,
        reason,
      });
      if (merchantId)
        items.push({ item: mustExist(merchantKey(merchantId)), reason: because('unknown_merchant') });
      if (influencerId) {
        const key =
          check.influencer === 'enrolled' && merchantId
            ? enrollmentKey(merchantId, influencerId)
            : influencerKey(influencerId);
        items.push({ item: mustExist(key), reason: because('unknown_influencer') });
      }
      items.push({ item: countUp(totalKey, MAX_ENDPOINTS), reason: because('limit') });
      for (const owner of ownerKeys(endpoint)) {
        items.push({
          item: countUp(ownerCountKey(owner), MAX_ENDPOINTS_PER_OWNER),
          reason: because('limit'),
        });
      }
      items.push({
        item: {
          Put: {
            TableName: tableName,
            Item: endpointEntity.toItem(endpointKey(endpoint.endpointId), { ...endpoint, sealedSecret }),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        reason: because('collision'),
      });
      try {
        await dynamo().send(new TransactWriteCommand({ TransactItems: items.map((i) => i.item) }));
        return { ok: true };
      } catch (err) {
        const [first] = failedConditions(err);
        if (first === undefined) throw err;
        return items[first]?.reason ?? because('collision');
      }
    },

    /** The endpoint, without its secret; undefined when there is none. */
    async get(endpointId: string): Promise<Endpoint | undefined> {
      const stored = await read(endpointId);
      return stored ? view(stored) : undefined;
    },

    /** The endpoint's signing secret in plain text (`whsec_…`), to sign a delivery; undefined when gone. */
    async signingSecret(endpointId: string): Promise<string | undefined> {
      const stored = await read(endpointId);
      if (!stored) return undefined;
      return open(await webhookSealKey(), stored.sealedSecret, secretAad(endpointId));
    },

    /** Every endpoint, by id, without secrets (they are at most `MAX_ENDPOINTS`: one partition). */
    async listAll(): Promise<Endpoint[]> {
      const input: QueryCommandInput = {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': PARTITION, ':prefix': PREFIX },
        ConsistentRead: true,
      };
      const endpoints: Endpoint[] = [];
      for await (const item of queryAll(input))
        endpoints.push(view(endpointEntity.fromItem(tableName, item)));
      return endpoints;
    },

    /**
     * Deletes the endpoint and counts it out, in one transaction; with `merchantId`, only an
     * endpoint of that merchant. False when there is no such endpoint (or it was deleted concurrently).
     */
    async delete(endpointId: string, merchantId?: string): Promise<boolean> {
      const stored = await read(endpointId);
      if (
        !stored ||
        (merchantId !== undefined && (stored.merchantId !== merchantId || stored.createdBy !== 'merchant'))
      )
        return false;
      try {
        await dynamo().send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tableName,
                  Key: endpointKey(endpointId),
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              countDown(totalKey),
              ...ownerKeys(stored).map((owner) => countDown(ownerCountKey(owner))),
            ],
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
export type EndpointRepo = ReturnType<typeof endpointRepo>;
