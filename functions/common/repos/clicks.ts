/**
 * Click items in the clicks table, keyed by `clickId` (a ULID, so ids sort by time). The `byVisitor`
 * index (`visitorId`, `clickId`) returns a visitor's clicks in time order for attribution and the
 * duplicate rule. `expiresAt` (epoch seconds) lets DynamoDB's TTL remove old clicks. The table also
 * holds storefront views (repos/storefronts.ts); `itemType` tells the two apart.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { dynamo } from '../clients/aws';
import { entity, ITEM_TYPE, queryAll, queryPages } from './items';

const clickSchema = z.object({
  clickId: z.string(),
  code: z.string(),
  influencerId: z.string(),
  merchantId: z.string(),
  visitorId: z.string(),
  occurredAt: z.string(),
  browser: z.string().optional(),
  os: z.string().optional(),
  device: z.string(),
  referrerHost: z.string().optional(),
  ipHash: z.string(),
  bot: z.boolean(),
  campaign: z.string().optional(),
  utm: z.record(z.string(), z.string()).optional(),
  /** Epoch seconds after which DynamoDB may delete the click. */
  expiresAt: z.int(),
});
export type Click = z.output<typeof clickSchema>;

export const CLICK_ITEM_TYPE = 'click';
const clickEntity = entity({ itemType: CLICK_ITEM_TYPE, keyAttributes: ['clickId'], schema: clickSchema });

/** How long clicks are kept: beyond the longest attribution window and a year of reports. */
export const CLICK_RETENTION_DAYS = 400;

export function clickRepo(tableName: string) {
  return {
    /** The one write of a redirect. A clickId is new by construction, so no condition is needed. */
    async put(click: Click): Promise<void> {
      await dynamo().send(new PutCommand({ TableName: tableName, Item: clickEntity.toItem({}, click) }));
    },

    /** A redirect's click; other events kept in the table (storefront views) are not clicks. */
    async get(clickId: string): Promise<Click | undefined> {
      const out = await dynamo().send(new GetCommand({ TableName: tableName, Key: { clickId } }));
      if (!out.Item) return undefined;
      const itemType = out.Item[ITEM_TYPE];
      if (itemType !== undefined && itemType !== CLICK_ITEM_TYPE) return undefined;
      return clickEntity.fromItem(tableName, out.Item);
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
      for await (const item of items) clicks.push(clickEntity.fromItem(tableName, item));
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
      for await (const page of pages) yield page.map((item) => clickEntity.fromItem(tableName, item));
    },
  };
}
export type ClickRepo = ReturnType<typeof clickRepo>;
