import { newWebhookSecret, rotatedSecrets } from '../common/crypto/webhook-secrets';
import { generatedId } from '../common/domain/random-ids';
import { apiError, json, notFound } from '../common/http/responses';
import type { Merchant } from '../common/repos/merchants';
import type { CreateMerchantInput } from '../common/schemas/catalog';
import { admin } from './context';

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

export async function createMerchant(input: CreateMerchantInput) {
  const ownDomain = input.allowedDomains.indexOf(admin.ownHost);
  if (ownDomain >= 0) {
    throw apiError('invalid_body', undefined, [
      { path: `allowedDomains.${ownDomain}`, message: "Must not be this service's own host." },
    ]);
  }
  const merchantId = input.merchantId ?? generatedId('mer');
  const createdAt = admin.now().toISOString();
  const secret = await newWebhookSecret(merchantId, createdAt);
  const { merchantId: _given, ...settings } = input;
  const merchant: Merchant = {
    ...settings,
    merchantId,
    createdAt,
    webhookSecrets: [secret.sealed],
    version: 1,
  };
  if (!(await admin.merchants.create(merchant))) {
    throw apiError('merchant_exists', `A merchant with id "${merchantId}" already exists.`);
  }
  return json(201, { ...merchantView(merchant), webhookSecret: secret.plain });
}

export async function getMerchant(merchantId: string) {
  const merchant = await admin.merchants.get(merchantId);
  if (!merchant) throw notFound('The merchant');
  return json(200, merchantView(merchant));
}

/** Adds a new secret; the previous ones keep verifying for 24 hours. A concurrent rotation is retried. */
export async function rotateSecret(merchantId: string) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const merchant = await admin.merchants.get(merchantId);
    if (!merchant) throw notFound('The merchant');
    const now = admin.now();
    const secret = await newWebhookSecret(merchantId, now.toISOString());
    const rotated = rotatedSecrets(merchant.webhookSecrets, secret.sealed, now);
    if (await admin.merchants.replaceSecrets(merchantId, rotated.secrets, merchant.version)) {
      return json(201, {
        merchantId,
        webhookSecret: secret.plain,
        previousSecretsValidUntil: rotated.previousValidUntil,
      });
    }
  }
  throw apiError('busy', 'The merchant was changed concurrently; try again.');
}
