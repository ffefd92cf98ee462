/**
 * Storefronts for operators (CONTRACT §3): `PUT /admin/storefronts/{handle}` creates or replaces one,
 * `GET` reads it. Checks run in the order that makes every 4xx write nothing: the handle and the body
 * (400), the influencer (404), every item's code against that influencer's links (400, each bad
 * item named), then one conditional write that also settles who owns the handle (409).
 */
import { requireEnv } from '../common/config/env';
import { storefrontUrl } from '../common/domain/storefront-page';
import { apiError, type ErrorIssue, json, notFound } from '../common/http/responses';
import { type Storefront, storefrontRepo } from '../common/repos/storefronts';
import type { PutStorefrontInput } from '../common/schemas/storefronts';
import { admin } from './context';

const storefronts = storefrontRepo(requireEnv('CONFIG_TABLE_NAME'));

export const storefrontView = (storefront: Storefront) => ({
  handle: storefront.handle,
  influencerId: storefront.influencerId,
  title: storefront.title,
  // Fields in a stable order (DynamoDB maps come back in any order).
  items: storefront.items.map(({ code, title, imageUrl, note }) => ({ code, title, imageUrl, note })),
  url: storefrontUrl(admin.publicBaseUrl, storefront.handle),
  createdAt: storefront.createdAt,
  updatedAt: storefront.updatedAt,
});

export async function putStorefront(handle: string, input: PutStorefrontInput) {
  const influencer = await admin.influencers.get(input.influencerId);
  if (!influencer) throw notFound('The influencer');

  const links = await storefronts.linkStates(input.items.map((item) => item.code));
  const issues: ErrorIssue[] = [];
  input.items.forEach((item, index) => {
    if (links.get(item.code)?.influencerId !== influencer.influencerId) {
      // One message for "no such link" and "someone else's link": the operator's fix is the same.
      issues.push({
        path: `items.${index}.code`,
        message: `"${item.code}" is not a link of influencer ${influencer.influencerId}.`,
      });
    }
  });
  if (issues.length) throw apiError('invalid_body', undefined, issues);

  const result = await storefronts.put(
    {
      handle,
      influencerId: influencer.influencerId,
      influencerName: influencer.name,
      title: input.title,
      items: input.items,
    },
    admin.now().toISOString(),
  );
  if (!result.ok)
    throw apiError('handle_taken', `The storefront handle "${handle}" belongs to another influencer.`);
  return json(200, storefrontView(result.storefront));
}

export async function getStorefront(handle: string) {
  const storefront = await storefronts.get(handle);
  if (!storefront) throw notFound('The storefront');
  return json(200, storefrontView(storefront));
}
