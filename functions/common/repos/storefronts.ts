/**
 * Storefronts (CONTRACT §3) and their view events.
 *
 * Storefront items live in the config table: `pk = STOREFRONT#<lower-case handle>`, `sk = STOREFRONT`,
 * indexed on `gsi1` by influencer (`gsi1pk = INFLUENCER#<id>`, `gsi1sk = STOREFRONT#<handle>`) beside
 * the influencer's links. Keying on the lower-case handle makes handles unique case-insensitively
 * (`/s/Anna` and `/s/anna` can never be two influencers' pages) and the page found whatever case a
 * shopper types; the handle is kept as last written for display. The items are stored inside the
 * storefront: at most 100, and a 64 KiB request cannot grow past DynamoDB's 400 KB item limit.
 * The influencer's name is copied in when the storefront is written (influencers are never renamed),
 * so the page needs no influencer read.
 *
 * View events go to the clicks table, as items with `itemType: 'storefront_view'`. That table already
 * has the stream the reports aggregator consumes (issue 5), so views reach `storefrontViews` through
 * the same pipeline as clicks, with no second stream to wire in AWS and locally, and the page costs
 * one PutItem like the redirect. A view deliberately has no `visitorId` attribute (its visitor is
 * `viewerId`): the `byVisitor` index is sparse, so views never appear among a visitor's clicks for
 * attribution or the duplicate rule. Redirect clicks are `itemType: 'click'`: stream consumers tell
 * the two apart with `isStorefrontView`.
 */
import { BatchGetCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import * as z from '../schemas/zod';
import { CLICK_RETENTION_DAYS } from './clicks';
import { isConditionFailure } from './errors';
import { entity, ITEM_TYPE } from './items';
import { linkKey } from './links';

const storefrontItemSchema = z.object({
  code: z.string(),
  title: z.string(),
  imageUrl: z.optional(z.string()),
  note: z.optional(z.string()),
});
export type StorefrontItem = z.output<typeof storefrontItemSchema>;

const storefrontSchema = z.object({
  handle: z.string(),
  influencerId: z.string(),
  influencerName: z.string(),
  title: z.string(),
  items: z.array(storefrontItemSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Storefront = z.output<typeof storefrontSchema>;

const storefrontEntity = entity({
  itemType: 'storefront',
  keyAttributes: ['pk', 'sk'],
  schema: storefrontSchema,
});

export const STOREFRONT_VIEW_KIND = 'storefront_view';

/** One counted view of a storefront page: an item of the clicks table (see above). */
export interface StorefrontView {
  /** A ULID, like a click id, so views sort by time and share the clicks table's key. */
  clickId: string;
  itemType: typeof STOREFRONT_VIEW_KIND;
  handle: string;
  influencerId: string;
  occurredAt: string;
  /** The shopper's `vid` cookie when the browser sent a valid one (the page never sets it). */
  viewerId?: string;
  browser?: string;
  os?: string;
  device: string;
  referrerHost?: string;
  /** Epoch seconds after which DynamoDB may delete the view (same retention as clicks). */
  expiresAt: number;
}

/** For consumers of the clicks table or its stream: is this item a storefront view, not a click? */
export const isStorefrontView = (item: Record<string, unknown>): boolean =>
  // `kind` marked views before every table used one type attribute (records still in a stream).
  item[ITEM_TYPE] === STOREFRONT_VIEW_KIND || item.kind === STOREFRONT_VIEW_KIND;

export const storefrontKey = (handle: string) => ({
  pk: `STOREFRONT#${handle.toLowerCase()}`,
  sk: 'STOREFRONT',
});

/** What a storefront needs to know about a link: whose it is and whether it is disabled. */
export interface LinkState {
  influencerId: string;
  disabled: boolean;
}

export type PutStorefrontResult = { ok: true; storefront: Storefront } | { ok: false; ownerConflict: true };

const BATCH_GET_LIMIT = 100;
const BATCH_GET_ATTEMPTS = 6;

export function storefrontRepo(tableName: string) {
  return {
    /**
     * Creates the storefront, or replaces it when the same influencer owns the handle; refuses (in
     * the same conditional write, so two influencers racing for a handle cannot both win) when
     * another influencer owns it. `createdAt` survives a replacement.
     */
    async put(
      storefront: Omit<Storefront, 'createdAt' | 'updatedAt'>,
      at: string,
    ): Promise<PutStorefrontResult> {
      const fields: Record<string, unknown> = {
        handle: storefront.handle,
        influencerId: storefront.influencerId,
        influencerName: storefront.influencerName,
        title: storefront.title,
        items: storefront.items,
        updatedAt: at,
        gsi1pk: `INFLUENCER#${storefront.influencerId}`,
        gsi1sk: `STOREFRONT#${storefront.handle.toLowerCase()}`,
        [ITEM_TYPE]: storefrontEntity.itemType,
      };
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ':at': at };
      const sets = Object.entries(fields).map(([name, value], i) => {
        names[`#f${i}`] = name;
        values[`:v${i}`] = value;
        return `#f${i} = :v${i}`;
      });
      names['#createdAt'] = 'createdAt';
      names['#owner'] = 'influencerId';
      values[':owner'] = storefront.influencerId;
      try {
        const out = await dynamo().send(
          new UpdateCommand({
            TableName: tableName,
            Key: storefrontKey(storefront.handle),
            UpdateExpression: `SET ${sets.join(', ')}, #createdAt = if_not_exists(#createdAt, :at)`,
            ConditionExpression: 'attribute_not_exists(pk) OR #owner = :owner',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        if (!out.Attributes) throw new Error('UpdateItem returned no attributes.');
        return { ok: true, storefront: storefrontEntity.fromItem(tableName, out.Attributes) };
      } catch (err) {
        if (isConditionFailure(err)) return { ok: false, ownerConflict: true };
        throw err;
      }
    },

    /** The storefront of a handle, matched case-insensitively. */
    async get(handle: string): Promise<Storefront | undefined> {
      const out = await dynamo().send(new GetCommand({ TableName: tableName, Key: storefrontKey(handle) }));
      return out.Item ? storefrontEntity.fromItem(tableName, out.Item) : undefined;
    },

    /**
     * Owner and state of each of these links that exists, in one BatchGetItem per 100 codes (a
     * storefront has at most 100), retrying what DynamoDB leaves unprocessed under throttling.
     */
    async linkStates(codes: readonly string[]): Promise<Map<string, LinkState>> {
      const states = new Map<string, LinkState>();
      const unique = [...new Set(codes)];
      for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
        let keys: Array<Record<string, unknown>> = unique.slice(start, start + BATCH_GET_LIMIT).map(linkKey);
        for (let attempt = 0; keys.length > 0; attempt++) {
          if (attempt >= BATCH_GET_ATTEMPTS)
            throw new Error('Links could not be read: DynamoDB kept throttling.');
          if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
          const out = await dynamo().send(
            new BatchGetCommand({
              RequestItems: {
                [tableName]: {
                  Keys: keys,
                  ProjectionExpression: '#code, #owner, #disabled',
                  ExpressionAttributeNames: {
                    '#code': 'code',
                    '#owner': 'influencerId',
                    '#disabled': 'disabled',
                  },
                },
              },
            }),
          );
          for (const item of out.Responses?.[tableName] ?? []) {
            if (typeof item.code === 'string' && typeof item.influencerId === 'string') {
              states.set(item.code, { influencerId: item.influencerId, disabled: item.disabled === true });
            }
          }
          keys = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
        }
      }
      return states;
    },
  };
}
export type StorefrontRepo = ReturnType<typeof storefrontRepo>;

export const viewRetentionSeconds = CLICK_RETENTION_DAYS * 86_400;

export function storefrontViewRepo(clicksTableName: string) {
  return {
    /** The page's one write. A ULID is new by construction, so no condition is needed. */
    async put(view: StorefrontView): Promise<void> {
      await dynamo().send(new PutCommand({ TableName: clicksTableName, Item: view }));
    },
  };
}
export type StorefrontViewRepo = ReturnType<typeof storefrontViewRepo>;
