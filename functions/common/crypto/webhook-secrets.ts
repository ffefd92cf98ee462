/**
 * Merchants' webhook secrets (Standard Webhooks `whsec_…`). They are HMAC keys, so they must be
 * read back in plain text to verify a signature; at rest they are sealed with the webhook-seal key (a
 * secret of its own, readable only by the functions that seal or open them), bound to their merchant
 * and secret id.
 */
import { randomBytes } from 'node:crypto';
import { webhookSealKey } from '../config/keys';
import { randomBase62 } from '../domain/random-ids';
import type { Merchant, SealedSecret } from '../repos/merchants';
import { open, seal } from './secret-box';

/** A rotated-out secret keeps verifying webhooks this long (CONTRACT §5). */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

const secretAad = (merchantId: string, secretId: string) => `merchant:${merchantId}:secret:${secretId}`;

/** A new secret: `whsec_` and 24 random bytes in base64, with its sealed form for storage. */
export async function newWebhookSecret(merchantId: string, createdAt: string) {
  const plain = `whsec_${randomBytes(24).toString('base64')}`;
  const secretId = randomBase62(10);
  const key = await webhookSealKey();
  const sealed: SealedSecret = {
    secretId,
    sealed: seal(key, plain, secretAad(merchantId, secretId)),
    createdAt,
  };
  return { plain, sealed };
}

export const isLive = (secret: SealedSecret, now: Date) =>
  secret.expiresAt === undefined || Date.parse(secret.expiresAt) > now.getTime();

/** The merchant's secrets that still verify at `now`, in plain text, newest first. */
export async function liveWebhookSecrets(
  merchant: Pick<Merchant, 'merchantId' | 'webhookSecrets'>,
  now: Date,
): Promise<string[]> {
  const key = await webhookSealKey();
  return merchant.webhookSecrets
    .filter((s) => isLive(s, now))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((s) => open(key, s.sealed, secretAad(merchant.merchantId, s.secretId)));
}

/**
 * The secret list after a rotation at `now`: every live secret now expires within the overlap (or
 * keeps an earlier expiry), expired ones are dropped, and the new one is added.
 */
export function rotatedSecrets(current: SealedSecret[], added: SealedSecret, now: Date) {
  const until = new Date(now.getTime() + SECRET_OVERLAP_MS).toISOString();
  const kept = current
    .filter((s) => isLive(s, now))
    .map((s) => ({ ...s, expiresAt: s.expiresAt && s.expiresAt < until ? s.expiresAt : until }));
  return { secrets: [...kept, added], previousValidUntil: until };
}
