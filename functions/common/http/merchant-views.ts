/**
 * What a merchant is shown of itself, to the operator (/admin) and to its own key (/v1/merchant):
 * one view, so neither can ever show a secret the other hides.
 */
import type { RotationResult } from '../crypto/webhook-secrets';
import type { Merchant } from '../repos/merchants';
import { apiError, type HttpResult, json, notFound } from './responses';

/** A merchant's settings: never its secrets, sealed or not. */
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

/** The answer to a secret rotation: 201 with the new secret, shown only this once. */
export function rotationAnswer(result: RotationResult): HttpResult {
  if (result.ok) {
    const { ok: _ok, ...rotated } = result;
    return json(201, rotated);
  }
  if (result.reason === 'unknown_merchant') throw notFound('The merchant');
  throw apiError('busy', 'The merchant was changed concurrently; try again.');
}
