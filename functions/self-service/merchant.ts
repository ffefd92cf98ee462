/** A merchant's own settings and webhook secret (CONTRACT §11), through the same code as the operator's. */
import { rotateWebhookSecret } from '../common/crypto/webhook-secrets';
import { merchantView, rotationAnswer } from '../common/http/merchant-views';
import { json, notFound } from '../common/http/responses';
import { selfService } from './context';

export async function getMyMerchant(merchantId: string) {
  const merchant = await selfService.merchants.get(merchantId);
  if (!merchant) throw notFound('The merchant');
  return json(200, merchantView(merchant));
}

export async function rotateMyWebhookSecret(merchantId: string) {
  return rotationAnswer(await rotateWebhookSecret(selfService.merchants, merchantId, selfService.now));
}
