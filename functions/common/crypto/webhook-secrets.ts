/**
 * Merchants' webhook secrets (Standard Webhooks `whsec_…`). They are HMAC keys, so they must be
 * read back in plain text to verify a signature; at rest they are sealed with the webhook-seal key (a
 * secret of its own, readable only by the functions that seal or open them), bound to their merchant
 * and secret id.
 */
import { randomBytes } from 'node:crypto';
import { webhookSealKey } from '../config/keys';
import { randomBase62 } from '../domain/random-ids';
import type { Merchant, MerchantRepo, SealedSecret } from '../repos/merchants';
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
  return liveOpenedSecrets(
    await openWebhookSecrets({
      ...merchant,
      webhookSecrets: merchant.webhookSecrets.filter((s) => isLive(s, now)),
    }),
    now,
  );
}

export interface OpenedSecret {
  secret: SealedSecret;
  plain: string;
}

/**
 * Every secret of the merchant opened, live or not, for a caller that keeps them (a warm ingest
 * instance, beside the merchant it cached) and decides which are live per request.
 */
export async function openWebhookSecrets(
  merchant: Pick<Merchant, 'merchantId' | 'webhookSecrets'>,
): Promise<OpenedSecret[]> {
  const key = await webhookSealKey();
  return merchant.webhookSecrets.map((secret) => ({
    secret,
    plain: open(key, secret.sealed, secretAad(merchant.merchantId, secret.secretId)),
  }));
}

/** The opened secrets that still verify at `now`, in plain text, newest first. */
export function liveOpenedSecrets(opened: readonly OpenedSecret[], now: Date): string[] {
  return opened
    .filter((o) => isLive(o.secret, now))
    .sort((a, b) => b.secret.createdAt.localeCompare(a.secret.createdAt))
    .map((o) => o.plain);
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

export type RotationResult =
  | { ok: true; merchantId: string; webhookSecret: string; previousSecretsValidUntil: string }
  | { ok: false; reason: 'unknown_merchant' | 'busy' };

/**
 * Rotates a merchant's webhook secret (CONTRACT §5): adds a new one, and the previous ones keep
 * verifying for 24 hours. A concurrent rotation is retried; the operator's route and the merchant's
 * own (§11) both rotate through this.
 */
export async function rotateWebhookSecret(
  merchants: Pick<MerchantRepo, 'get' | 'replaceSecrets'>,
  merchantId: string,
  now: () => Date,
): Promise<RotationResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const merchant = await merchants.get(merchantId);
    if (!merchant) return { ok: false, reason: 'unknown_merchant' };
    const at = now();
    const secret = await newWebhookSecret(merchantId, at.toISOString());
    const rotated = rotatedSecrets(merchant.webhookSecrets, secret.sealed, at);
    if (await merchants.replaceSecrets(merchantId, rotated.secrets, merchant.version)) {
      return {
        ok: true,
        merchantId,
        webhookSecret: secret.plain,
        previousSecretsValidUntil: rotated.previousValidUntil,
      };
    }
  }
  return { ok: false, reason: 'busy' };
}
