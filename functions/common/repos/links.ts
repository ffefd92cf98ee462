/**
 * Link items in the config table: `pk = LINK#<code>` (codes are case-sensitive), indexed on `gsi1`
 * by influencer (`gsi1pk = INFLUENCER#<id>`, `gsi1sk = LINK#<code>`): an influencer's links are one
 * Query of that index.
 */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import * as z from '../schemas/zod';
import { isConditionFailure } from './errors';
import { entity, queryAll, type TransactItem } from './items';

const linkSchema = z.object({
  code: z.string(),
  influencerId: z.string(),
  merchantId: z.string(),
  targetUrl: z.string(),
  campaign: z.optional(z.string()),
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Link = z.output<typeof linkSchema>;

/** Also read by repos/storefronts.ts, which reads a storefront's links in one BatchGetItem. */
export const linkKey = (code: string) => ({ pk: `LINK#${code}`, sk: 'LINK' });
const linkEntity = entity({ itemType: 'link', keyAttributes: ['pk', 'sk'], schema: linkSchema });

export function linkRepo(tableName: string) {
  return {
    /**
     * Creates the link, and in the same transaction whatever `alongside` holds (the pair's
     * enrollment); false when the code is taken, and then nothing is written.
     */
    async create(link: Link, alongside: TransactItem[] = []): Promise<boolean> {
      const put = {
        TableName: tableName,
        Item: linkEntity.toItem(
          {
            ...linkKey(link.code),
            gsi1pk: `INFLUENCER#${link.influencerId}`,
            gsi1sk: `LINK#${link.code}`,
          },
          link,
        ),
        ConditionExpression: 'attribute_not_exists(pk)',
      };
      try {
        if (alongside.length === 0) await dynamo().send(new PutCommand(put));
        else await dynamo().send(new TransactWriteCommand({ TransactItems: [{ Put: put }, ...alongside] }));
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },

    async get(code: string): Promise<Link | undefined> {
      const out = await dynamo().send(new GetCommand({ TableName: tableName, Key: linkKey(code) }));
      return out.Item ? linkEntity.fromItem(tableName, out.Item) : undefined;
    },

    /** The influencer's links, by code (the index is eventually consistent: a new link shows soon after). */
    async ofInfluencer(influencerId: string): Promise<Link[]> {
      const links: Link[] = [];
      for await (const item of queryAll({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `INFLUENCER#${influencerId}`, ':prefix': 'LINK#' },
      })) {
        links.push(linkEntity.fromItem(tableName, item));
      }
      return links;
    },

    /** Disables or enables a link; undefined when there is no such link. */
    async setDisabled(code: string, disabled: boolean, at: string): Promise<Link | undefined> {
      try {
        const out = await dynamo().send(
          new UpdateCommand({
            TableName: tableName,
            Key: linkKey(code),
            UpdateExpression: 'SET disabled = :disabled, updatedAt = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':disabled': disabled, ':at': at },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return out.Attributes ? linkEntity.fromItem(tableName, out.Attributes) : undefined;
      } catch (err) {
        if (isConditionFailure(err)) return undefined;
        throw err;
      }
    },
  };
}
export type LinkRepo = ReturnType<typeof linkRepo>;
