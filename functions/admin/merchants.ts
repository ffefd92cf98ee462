import { newWebhookSecret, rotateWebhookSecret } from '../common/crypto/webhook-secrets';
import { generatedId } from '../common/domain/random-ids';
import { merchantView, rotationAnswer } from '../common/http/merchant-views';
import { apiError, json, notFound } from '../common/http/responses';
import type { Merchant } from '../common/repos/merchants';
import type { CreateMerchantInput } from '../common/schemas/catalog';
import { admin } from './context';

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
  return rotationAnswer(await rotateWebhookSecret(admin.merchants, merchantId, admin.now));
}
