import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { keys } from '../common/config/keys';
import { open, seal } from '../common/crypto/secret-box';
import { generatedId, randomBase62 } from '../common/domain/random-ids';
import { parseJsonBody } from '../common/http/request';
import { conflict, HttpError, json, notFound } from '../common/http/responses';
import type { Merchant, SealedSecret } from '../common/repos/merchants';
import { createMerchantSchema } from '../common/schemas/catalog';
import { admin } from './context';

/** A rotated-out secret keeps verifying webhooks this long (CONTRACT §5). */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** What an operator sees of a merchant: never its secrets, sealed or not. */
export function merchantView(m: Merchant) {
  return {
    merchantId: m.merchantId,
    name: m.name,
    allowedDomains: m.allowedDomains,
    currency: m.currency,
    clickIdParam: m.clickIdParam,
    attributionModel: m.attributionModel,
    attributionWindowDays: m.attributionWindowDays,
    holdDays: m.holdDays,
    commission: m.commission,
    createdAt: m.createdAt,
  };
}

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
async function newSecret(merchantId: string, createdAt: string) {
  const plain = `whsec_${randomBytes(24).toString('base64')}`;
  const secretId = randomBase62(10);
  const { webhookSecrets } = await keys();
  const sealed: SealedSecret = {
    secretId,
    sealed: seal(webhookSecrets, plain, secretAad(merchantId, secretId)),
    createdAt,
  };
  return { plain, sealed };
}

const secretAad = (merchantId: string, secretId: string) => `merchant:${merchantId}:secret:${secretId}`;

/** The webhook secrets of a merchant that still verify at `now`, in plain text. */
export async function liveSecrets(merchant: Merchant, now: Date): Promise<string[]> {
  const { webhookSecrets } = await keys();
  return merchant.webhookSecrets
    .filter((s) => s.expiresAt === undefined || Date.parse(s.expiresAt) > now.getTime())
    .map((s) => open(webhookSecrets, s.sealed, secretAad(merchant.merchantId, s.secretId)));
}

export async function createMerchant(event: APIGatewayProxyEventV2) {
  const input = parseJsonBody(event, createMerchantSchema);
  const ownDomain = input.allowedDomains.indexOf(admin.ownHost);
  if (ownDomain >= 0) {
    throw new HttpError(400, 'invalid_body', 'The request body is not valid.', [
      { path: `allowedDomains.${ownDomain}`, message: "Must not be this service's own host." },
    ]);
  }
  const merchantId = input.merchantId ?? generatedId('mer');
  const createdAt = admin.now().toISOString();
  const secret = await newSecret(merchantId, createdAt);
  const { merchantId: _given, ...settings } = input;
  const merchant: Merchant = {
    ...settings,
    merchantId,
    createdAt,
    webhookSecrets: [secret.sealed],
    version: 1,
  };
  if (!(await admin.merchants.create(merchant))) {
    throw conflict('merchant_exists', `A merchant with id "${merchantId}" already exists.`);
  }
  return json(201, { ...merchantView(merchant), webhookSecret: secret.plain });
}

export async function getMerchant(merchantId: string) {
  const merchant = await admin.merchants.get(merchantId);
  if (!merchant) throw notFound('The merchant');
  return json(200, merchantView(merchant));
}

/**
 * Adds a new secret; every secret still live stops verifying 24 hours from now (or earlier, if it
 * was already due to). Expired ones are dropped. A concurrent rotation is retried, not lost.
 */
export async function rotateSecret(merchantId: string) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const merchant = await admin.merchants.get(merchantId);
    if (!merchant) throw notFound('The merchant');
    const now = admin.now();
    const until = new Date(now.getTime() + SECRET_OVERLAP_MS).toISOString();
    const kept = merchant.webhookSecrets
      .filter((s) => s.expiresAt === undefined || Date.parse(s.expiresAt) > now.getTime())
      .map((s) => ({ ...s, expiresAt: s.expiresAt && s.expiresAt < until ? s.expiresAt : until }));
    const secret = await newSecret(merchantId, now.toISOString());
    if (await admin.merchants.replaceSecrets(merchantId, [...kept, secret.sealed], merchant.version)) {
      return json(201, { merchantId, webhookSecret: secret.plain, previousSecretsValidUntil: until });
    }
  }
  throw new HttpError(503, 'busy', 'The merchant was changed concurrently; try again.');
}
