/**
 * Storefronts (CONTRACT §3, §11): `PUT` creates or replaces one, `GET` reads it, for the operator
 * (`/admin/storefronts/{handle}`) and for an influencer's own key (`/v1/me/storefronts/{handle}`).
 * Checks run in the order that makes every 4xx write nothing: the handle and the body (400), the
 * influencer (404), every item's code against that influencer's links (400, each bad item named),
 * then one conditional write that also settles who owns the handle (409).
 */
import { storefrontUrl } from '../domain/storefront-page';
import { apiError, type ErrorIssue, json, notFound } from '../http/responses';
import type { InfluencerRepo } from '../repos/influencers';
import type { Storefront, StorefrontRepo } from '../repos/storefronts';
import type { PutStorefrontInput } from '../schemas/storefronts';

export interface StorefrontDeps {
  influencers: Pick<InfluencerRepo, 'get'>;
  storefronts: Pick<StorefrontRepo, 'put' | 'get' | 'linkStates'>;
  publicBaseUrl: string;
  now: () => Date;
}

export const storefrontView = (publicBaseUrl: string, storefront: Storefront) => ({
  handle: storefront.handle,
  influencerId: storefront.influencerId,
  title: storefront.title,
  // Fields in a stable order (DynamoDB maps come back in any order).
  items: storefront.items.map(({ code, title, imageUrl, note }) => ({ code, title, imageUrl, note })),
  url: storefrontUrl(publicBaseUrl, storefront.handle),
  createdAt: storefront.createdAt,
  updatedAt: storefront.updatedAt,
});

export async function putStorefront(deps: StorefrontDeps, handle: string, input: PutStorefrontInput) {
  const influencer = await deps.influencers.get(input.influencerId);
  if (!influencer) throw notFound('The influencer');

  const links = await deps.storefronts.linkStates(input.items.map((item) => item.code));
  const issues: ErrorIssue[] = [];
  input.items.forEach((item, index) => {
    if (links.get(item.code)?.influencerId !== influencer.influencerId) {
      // One message for "no such link" and "someone else's link": the fix is the same, and an
      // influencer learns nothing of other influencers' codes.
      issues.push({
        path: `items.${index}.code`,
        message: `"${item.code}" is not a link of influencer ${influencer.influencerId}.`,
      });
    }
  });
  if (issues.length) throw apiError('invalid_body', undefined, issues);

  const result = await deps.storefronts.put(
    {
      handle,
      influencerId: influencer.influencerId,
      influencerName: influencer.name,
      title: input.title,
      items: input.items,
    },
    deps.now().toISOString(),
  );
  if (!result.ok)
    throw apiError('handle_taken', `The storefront handle "${handle}" belongs to another influencer.`);
  return json(200, storefrontView(deps.publicBaseUrl, result.storefront));
}

/** `ownerId`: the influencer whose key asks; another's storefront is unknown to it. */
export async function getStorefront(deps: StorefrontDeps, handle: string, ownerId?: string) {
  const storefront = await deps.storefronts.get(handle);
  if (!storefront || (ownerId !== undefined && storefront.influencerId !== ownerId))
    throw notFound('The storefront');
  return json(200, storefrontView(deps.publicBaseUrl, storefront));
}
