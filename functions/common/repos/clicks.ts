/**
 * Click items in the clicks table, keyed by `clickId` (a ULID, so ids sort by time). The `byVisitor`
 * index (`visitorId`, `clickId`) returns a visitor's clicks in time order for attribution and the
 * duplicate rule. `expiresAt` (epoch seconds) lets DynamoDB's TTL remove old clicks.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';

export interface Click {
  clickId: string;
  code: string;
  influencerId: string;
  merchantId: string;
  visitorId: string;
  occurredAt: string;
  browser?: string;
  os?: string;
  device: string;
  referrerHost?: string;
  ipHash: string;
  bot: boolean;
  campaign?: string;
  utm?: Record<string, string>;
  /** Epoch seconds after which DynamoDB may delete the click. */
  expiresAt: number;
}

/** How long clicks are kept: beyond the longest attribution window and a year of reports. */
export const CLICK_RETENTION_DAYS = 400;

export function clickRepo(tableName: string) {
  return {
    /** The one write of a redirect. A clickId is new by construction, so no condition is needed. */
    async put(click: Click): Promise<void> {
      await dynamo().send(new PutCommand({ TableName: tableName, Item: click }));
    },

    /** A redirect's click; other events kept in the table (storefront views carry a `kind`) are not clicks. */
    async get(clickId: string): Promise<Click | undefined> {
      const out = await dynamo().send(new GetCommand({ TableName: tableName, Key: { clickId } }));
      return out.Item && out.Item.kind === undefined ? (out.Item as Click) : undefined;
    },

    /** A visitor's clicks with ids between two bounds (inclusive), oldest first, every page read. */
    async ofVisitor(visitorId: string, fromClickId: string, toClickId: string): Promise<Click[]> {
      const clicks: Click[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await dynamo().send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'byVisitor',
            KeyConditionExpression: 'visitorId = :v AND clickId BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':v': visitorId, ':from': fromClickId, ':to': toClickId },
            ExclusiveStartKey: start,
          }),
        );
        clicks.push(...((out.Items ?? []) as Click[]));
        start = out.LastEvaluatedKey;
      } while (start);
      return clicks;
    },

    /**
     * One page of a visitor's clicks with ids between two bounds (inclusive), newest first: attribution
     * reads back from the order only as far as it needs (CONTRACT §6 counts the newest candidates).
     */
    async visitorPageNewestFirst(
      visitorId: string,
      fromClickId: string,
      toClickId: string,
      start: Record<string, unknown> | undefined,
      limit: number,
    ): Promise<{ clicks: Click[]; next: Record<string, unknown> | undefined }> {
      const out = await dynamo().send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'byVisitor',
          KeyConditionExpression: 'visitorId = :v AND clickId BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':v': visitorId, ':from': fromClickId, ':to': toClickId },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: start,
        }),
      );
      return { clicks: (out.Items ?? []) as Click[], next: out.LastEvaluatedKey };
    },
  };
}
export type ClickRepo = ReturnType<typeof clickRepo>;
