/**
 * Portal login links and sessions in the config table (CONTRACT §11), each known only by the
 * SHA-256 of its secret:
 * - `pk = PORTALLOGIN#<sha256>`, `sk = LOGIN` → the influencer and when the link expires; opening it
 *   deletes it with a condition, so of two concurrent opens exactly one gets a session.
 * - `pk = PORTALSESSION#<sha256>`, `sk = SESSION` → the influencer, its expiry and its CSRF token.
 * Both carry `expiresAt` in epoch seconds, the config table's TTL attribute, so DynamoDB deletes
 * them some time after they expire; until it does, an expired item is refused when read.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../clients/aws';
import * as z from '../schemas/zod';
import { isConditionFailure } from './errors';
import { entity } from './items';

/** `expiresAt`: epoch seconds, so that the table's TTL removes used-up and abandoned items. */
const loginSchema = z.object({ influencerId: z.string(), expiresAt: z.int() });
const sessionSchema = z.object({ influencerId: z.string(), expiresAt: z.int(), csrfToken: z.string() });
export type PortalSession = z.output<typeof sessionSchema>;

const login = entity({ itemType: 'portalLogin', keyAttributes: ['pk', 'sk'], schema: loginSchema });
const session = entity({ itemType: 'portalSession', keyAttributes: ['pk', 'sk'], schema: sessionSchema });
const loginKey = (hash: string) => ({ pk: `PORTALLOGIN#${hash}`, sk: 'LOGIN' });
const sessionKey = (hash: string) => ({ pk: `PORTALSESSION#${hash}`, sk: 'SESSION' });

export function portalSessionRepo(tableName: string) {
  return {
    async putLogin(hash: string, influencerId: string, expiresAt: Date): Promise<void> {
      await dynamo().send(
        new PutCommand({
          TableName: tableName,
          Item: login.toItem(loginKey(hash), { influencerId, expiresAt: epochSeconds(expiresAt) }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    /**
     * Uses up a login link: deleted only if it exists and has not expired at `now`, in one
     * conditional write, so a link opens one session at most. Its influencer, or undefined.
     */
    async consumeLogin(hash: string, now: Date): Promise<string | undefined> {
      try {
        const out = await dynamo().send(
          new DeleteCommand({
            TableName: tableName,
            Key: loginKey(hash),
            ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
            ExpressionAttributeValues: { ':now': now.getTime() / 1000 },
            ReturnValues: 'ALL_OLD',
          }),
        );
        return out.Attributes ? login.fromItem(tableName, out.Attributes).influencerId : undefined;
      } catch (err) {
        if (isConditionFailure(err)) return undefined;
        throw err;
      }
    },

    async putSession(
      hash: string,
      value: { influencerId: string; csrfToken: string; expiresAt: Date },
    ): Promise<void> {
      await dynamo().send(
        new PutCommand({
          TableName: tableName,
          Item: session.toItem(sessionKey(hash), { ...value, expiresAt: epochSeconds(value.expiresAt) }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    /** The session, if it exists and has not expired at `now`. */
    async session(hash: string, now: Date): Promise<PortalSession | undefined> {
      const out = await dynamo().send(new GetCommand({ TableName: tableName, Key: sessionKey(hash) }));
      if (!out.Item) return undefined;
      const found = session.fromItem(tableName, out.Item);
      return found.expiresAt > now.getTime() / 1000 ? found : undefined;
    },

    /** Ends a session (signing out); ending one that is gone already is not an error. */
    async deleteSession(hash: string): Promise<void> {
      await dynamo().send(new DeleteCommand({ TableName: tableName, Key: sessionKey(hash) }));
    },
  };
}
/** Whole seconds (TTL's unit), rounded up: an item is never deleted before it has expired. */
function epochSeconds(at: Date): number {
  return Math.ceil(at.getTime() / 1000);
}

export type PortalSessionRepo = ReturnType<typeof portalSessionRepo>;
