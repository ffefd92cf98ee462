/** An influencer's own view of itself (CONTRACT §11), scoped by its key: the id is never the caller's to choose. */

import { linkView } from '../common/actions/links';
import { periodPayoutView } from '../common/actions/payouts';
import { ratesFor } from '../common/domain/deal-commission';
import { qrSvgResponse } from '../common/http/qr-svg';
import { json, notFound } from '../common/http/responses';
import { selfService } from './context';

export async function getMe(influencerId: string) {
  const [influencer, enrollments] = await Promise.all([
    selfService.influencers.get(influencerId),
    selfService.enrollments.ofInfluencer(influencerId),
  ]);
  if (!influencer) throw notFound('The influencer');
  const merchants = await Promise.all(enrollments.map((e) => selfService.merchants.get(e.merchantId)));
  const programs = enrollments.flatMap((enrollment, i) => {
    const merchant = merchants[i];
    if (!merchant) return [];
    return [
      {
        merchantId: merchant.merchantId,
        name: merchant.name,
        allowedDomains: merchant.allowedDomains,
        currency: merchant.currency,
        commission: ratesFor(merchant.commission, enrollment.terms.commission),
      },
    ];
  });
  return json(200, {
    influencerId: influencer.influencerId,
    handle: influencer.handle,
    name: influencer.name,
    payoutMinimumMinor: influencer.payoutMinimumMinor,
    couponCodes: influencer.couponCodes,
    programs,
  });
}

export async function listMyLinks(influencerId: string) {
  const links = await selfService.links.ofInfluencer(influencerId);
  return json(200, { items: links.map((link) => linkView(selfService.publicBaseUrl, link)) });
}

/** Another influencer's link is as unknown as one that does not exist (CONTRACT §11). */
export async function getMyLinkQr(influencerId: string, code: string) {
  const link = await selfService.links.get(code);
  if (!link || link.influencerId !== influencerId) throw notFound('The link');
  return qrSvgResponse(`${selfService.publicBaseUrl}/${link.code}`);
}

/**
 * Every payout of the influencer, oldest period first, as a run shows it (a payout still being
 * marked shows what is marked so far), with its settlement once settled.
 */
export async function listMyPayouts(influencerId: string) {
  const payouts = await selfService.payouts.payoutsOf(influencerId);
  return json(200, { items: payouts.map(periodPayoutView) });
}
