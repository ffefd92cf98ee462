import { generatedId } from '../common/domain/random-ids';
import { apiError, json, notFound } from '../common/http/responses';
import type { Influencer } from '../common/repos/influencers';
import type { CreateInfluencerInput } from '../common/schemas/catalog';
import { admin } from './context';

export async function createInfluencer(input: CreateInfluencerInput) {
  const influencer: Influencer = {
    influencerId: input.influencerId ?? generatedId('inf'),
    handle: input.handle,
    name: input.name,
    payoutMinimumMinor: input.payoutMinimumMinor,
    couponCodes: input.couponCodes,
    createdAt: admin.now().toISOString(),
  };
  const result = await admin.influencers.create(influencer);
  if (!result.ok) {
    const what = {
      influencerId: 'influencer_exists',
      handle: 'handle_taken',
      couponCode: 'coupon_taken',
    } as const;
    throw apiError(what[result.taken], `The ${result.taken} "${result.value}" is already taken.`);
  }
  return json(201, influencer);
}

export async function getInfluencer(influencerId: string) {
  const influencer = await admin.influencers.get(influencerId);
  if (!influencer) throw notFound('The influencer');
  return json(200, influencer);
}
