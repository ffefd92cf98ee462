import { generatedCode } from '../common/domain/random-ids';
import { checkTargetUrl } from '../common/domain/target-url';
import { apiError, json, notFound } from '../common/http/responses';
import type { Link } from '../common/repos/links';
import type { CreateLinkInput, UpdateLinkInput } from '../common/schemas/catalog';
import { admin } from './context';

export const linkView = (link: Link) => ({ ...link, shortUrl: `${admin.publicBaseUrl}/${link.code}` });

export async function createLink(input: CreateLinkInput) {
  const [merchant, influencer] = await Promise.all([
    admin.merchants.get(input.merchantId),
    admin.influencers.get(input.influencerId),
  ]);
  if (!influencer) throw notFound('The influencer');
  if (!merchant) throw notFound('The merchant');
  const target = checkTargetUrl(input.targetUrl, merchant.allowedDomains, admin.ownHost);
  if (!target.ok) {
    throw apiError('invalid_body', undefined, [{ path: 'targetUrl', message: target.message }]);
  }
  const now = admin.now().toISOString();
  const link = (code: string): Link => ({
    code,
    influencerId: influencer.influencerId,
    merchantId: merchant.merchantId,
    targetUrl: target.url,
    ...(input.campaign ? { campaign: input.campaign } : {}),
    disabled: false,
    createdAt: now,
    updatedAt: now,
  });

  // A link for a pair not enrolled enrolls it, with no terms (CONTRACT §10), in the same transaction.
  const enroll = admin.enrollments.ensureItem(merchant.merchantId, influencer.influencerId, now);

  if (input.code) {
    const chosen = link(input.code);
    if (!(await admin.links.create(chosen, [enroll])))
      throw apiError('code_taken', `The code "${input.code}" is taken.`);
    return json(201, linkView(chosen));
  }
  // Generated codes collide about once in 10^12 creations; retry a few times all the same.
  for (let attempt = 0; attempt < 5; attempt++) {
    const generated = link(generatedCode());
    if (await admin.links.create(generated, [enroll])) return json(201, linkView(generated));
  }
  throw apiError('busy', 'Could not find a free code; try again.');
}

export async function getLink(code: string) {
  const link = await admin.links.get(code);
  if (!link) throw notFound('The link');
  return json(200, linkView(link));
}

export async function updateLink(code: string, input: UpdateLinkInput) {
  const link = await admin.links.setDisabled(code, input.disabled, admin.now().toISOString());
  if (!link) throw notFound('The link');
  return json(200, linkView(link));
}
