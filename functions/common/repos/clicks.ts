/**
 * Click items in the clicks table, keyed by `clickId` (a ULID, so ids sort by time). The `byVisitor`
 * index (`visitorId`, `clickId`) returns a visitor's clicks in time order for attribution and the
 * duplicate rule. `expiresAt` (epoch seconds) lets DynamoDB's TTL remove old clicks. The table also
 * holds storefront views (repos/storefronts.ts); `itemType` tells the two apart.
 *
 * The index is sparse: only a click that can be attributed (a human's) carries `visitorId`. A bot's
 * visitor is kept as `botVisitorId`, so bot traffic costs no index write and never lands among a
 * visitor's clicks (a bot click is never a candidate, nor a duplicate, nor makes one: the rules in
 * domain/attribution.ts and domain/duplicates.ts drop it anyway). Storefront views carry neither.
 * Bot clicks written before this rule still carry `visitorId`; the same rules ignore them. Readers
 * get `visitorId` on every click, whichever attribute held it.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import * as z from '../schemas/zod';
import { entity, ITEM_TYPE, queryAll, queryPages } from './items';

const clickSchema = z.object({
  clickId: z.string(),
  code: z.string(),
  influencerId: z.string(),
  merchantId: z.string(),
  visitorId: z.string(),
  occurredAt: z.string(),
  browser: z.optional(z.string()),
  os: z.optional(z.string()),
  device: z.string(),
  referrerHost: z.optional(z.string()),
  ipHash: z.string(),
  bot: z.boolean(),
  campaign: z.optional(z.string()),
  utm: z.optional(z.record(z.string(), z.string())),
  /** Epoch seconds after which DynamoDB may delete the click. */
  expiresAt: z.int(),
});
export type Click = z.output<typeof clickSchema>;

export const CLICK_ITEM_TYPE = 'click';
const clickEntity = entity({ itemType: CLICK_ITEM_TYPE, keyAttributes: ['clickId'], schema: clickSchema });

/** How long clicks are kept: beyond the longest attribution window and a year of reports. */
export const CLICK_RETENTION_DAYS = 400;

/** Where a bot click keeps its visitor: not `visitorId`, the key of the sparse `byVisitor` index. */
export const BOT_VISITOR_ATTRIBUTE = 'botVisitorId';

/** The visitor of a click item as stored (`visitorId`, or a bot's `botVisitorId`). */
export function storedVisitorId(item: Record<string, unknown>): unknown {
  return item.visitorId ?? item[BOT_VISITOR_ATTRIBUTE];
}

/**
 * The click as DynamoDB attribute values, built directly: the redirect's one write is its hot path,
 * and the document client's generic marshalling of a known flat shape costs it CPU for nothing.
 * Undefined fields are left out, as the document client's `removeUndefinedValues` does.
 */
function clickAttributes(click: Click): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    clickId: { S: click.clickId },
    [ITEM_TYPE]: { S: CLICK_ITEM_TYPE },
    code: { S: click.code },
    influencerId: { S: click.influencerId },
    merchantId: { S: click.merchantId },
    [click.bot ? BOT_VISITOR_ATTRIBUTE : 'visitorId']: { S: click.visitorId },
    occurredAt: { S: click.occurredAt },
    device: { S: click.device },
    ipHash: { S: click.ipHash },
    bot: { BOOL: click.bot },
    expiresAt: { N: String(click.expiresAt) },
  };
  if (click.browser !== undefined) item.browser = { S: click.browser };
  if (click.os !== undefined) item.os = { S: click.os };
  if (click.referrerHost !== undefined) item.referrerHost = { S: click.referrerHost };
  if (click.campaign !== undefined) item.campaign = { S: click.campaign };
  if (click.utm !== undefined) {
    const utm: Record<string, AttributeValue> = {};
    for (const [name, value] of Object.entries(click.utm)) utm[name] = { S: value };
    item.utm = { M: utm };
  }
  return item;
}

function clickOf(tableName: string, item: Record<string, unknown>): Click {
  if (item.visitorId !== undefined) return clickEntity.fromItem(tableName, item);
  const { [BOT_VISITOR_ATTRIBUTE]: visitorId, ...rest } = item;
  return clickEntity.fromItem(tableName, { ...rest, visitorId });
}

export function clickRepo(tableName: string) {
  return {
    /** The one write of a redirect. A clickId is new by construction, so no condition is needed. */
    async put(click: Click): Promise<void> {
      // A plain PutItem through the same client (and middleware) as every other call.
      await dynamo().send(new PutItemCommand({ TableName: tableName, Item: clickAttributes(click) }));
    },

    /** A redirect's click; other events kept in the table (storefront views) are not clicks. */
    async get(clickId: string): Promise<Click | undefined> {
      const out = await dynamo().send(new GetCommand({ TableName: tableName, Key: { clickId } }));
      if (!out.Item) return undefined;
      const itemType = out.Item[ITEM_TYPE];
      if (itemType !== undefined && itemType !== CLICK_ITEM_TYPE) return undefined;
      return clickOf(tableName, out.Item);
    },

    /** A visitor's clicks with ids between two bounds (inclusive), oldest first, every page read. */
    async ofVisitor(visitorId: string, fromClickId: string, toClickId: string): Promise<Click[]> {
      const clicks: Click[] = [];
      const items = queryAll({
        TableName: tableName,
        IndexName: 'byVisitor',
        KeyConditionExpression: 'visitorId = :v AND clickId BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':v': visitorId, ':from': fromClickId, ':to': toClickId },
      });
      for await (const item of items) clicks.push(clickOf(tableName, item));
      return clicks;
    },

    /**
     * A visitor's clicks with ids between two bounds (inclusive), newest first, a page (of at most
     * `pageSize`) at a time: attribution reads back from the order only as far as it needs
     * (CONTRACT §6 counts the newest candidates) and stops there.
     */
    async *visitorPagesNewestFirst(
      visitorId: string,
      fromClickId: string,
      toClickId: string,
      pageSize: number,
    ): AsyncGenerator<Click[]> {
      const pages = queryPages(
        {
          TableName: tableName,
          IndexName: 'byVisitor',
          KeyConditionExpression: 'visitorId = :v AND clickId BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':v': visitorId, ':from': fromClickId, ':to': toClickId },
          ScanIndexForward: false,
        },
        pageSize,
      );
      for await (const page of pages) yield page.map((item) => clickOf(tableName, item));
    },
  };
}
export type ClickRepo = ReturnType<typeof clickRepo>;
