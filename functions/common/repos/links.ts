/**
 * Link items in the config table: `pk = LINK#<code>` (codes are case-sensitive), indexed on `gsi1`
 * by influencer (`gsi1pk = INFLUENCER#<id>`, `gsi1sk = LINK#<code>`) for reports and storefronts.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import { isConditionFailure } from './errors';

export interface Link {
  code: string;
  influencerId: string;
  merchantId: string;
  targetUrl: string;
  campaign?: string;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

const linkKey = (code: string) => ({ pk: `LINK#${code}`, sk: 'LINK' });

function fromItem(item: Record<string, unknown>): Link {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, type: _type, ...link } = item;
  return link as unknown as Link;
}

export function linkRepo(tableName: string) {
  return {
    /** Creates the link; false when the code is taken. */
    async create(link: Link): Promise<boolean> {
      try {
        await dynamo().send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...linkKey(link.code),
              gsi1pk: `INFLUENCER#${link.influencerId}`,
              gsi1sk: `LINK#${link.code}`,
              type: 'link',
              ...link,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },

    async get(code: string): Promise<Link | undefined> {
      const out = await dynamo().send(new GetCommand({ TableName: tableName, Key: linkKey(code) }));
      return out.Item ? fromItem(out.Item) : undefined;
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
        return out.Attributes ? fromItem(out.Attributes) : undefined;
      } catch (err) {
        if (isConditionFailure(err)) return undefined;
        throw err;
      }
    },
  };
}
export type LinkRepo = ReturnType<typeof linkRepo>;
