/**
 * Making and changing short links (CONTRACT §5, §11), for the operator and for an influencer's own
 * key: one code, so both check the target, the code and the enrollment the same way.
 */
import { generatedCode } from '../domain/random-ids';
import { checkTargetUrl } from '../domain/target-url';
import { apiError, json, notFound } from '../http/responses';
import type { EnrollmentRepo } from '../repos/enrollments';
import type { InfluencerRepo } from '../repos/influencers';
import type { Link, LinkRepo } from '../repos/links';
import type { MerchantRepo } from '../repos/merchants';
import type { CreateLinkInput, UpdateLinkInput } from '../schemas/catalog';

export interface LinkDeps {
  merchants: Pick<MerchantRepo, 'get'>;
  influencers: Pick<InfluencerRepo, 'get'>;
  links: LinkRepo;
  enrollments: Pick<EnrollmentRepo, 'get' | 'ensureItem' | 'existsCheck'>;
  /** Where short links are served, e.g. `https://go.example.com`. */
  publicBaseUrl: string;
  ownHost: string;
  now: () => Date;
}

export const linkView = (publicBaseUrl: string, link: Link) => ({
  ...link,
  shortUrl: `${publicBaseUrl}/${link.code}`,
});

/**
 * `enroll`: the operator's link for a pair not enrolled enrolls it (CONTRACT §10). `enrolled`: an
 * influencer makes links only for merchants it is enrolled with; any other merchant, known or not,
 * is the same 404, and the enrollment is checked in the link's own transaction, so a link is never
 * made on an enrollment that ended meanwhile.
 */
export async function createLink(deps: LinkDeps, input: CreateLinkInput, enrollment: 'enroll' | 'enrolled') {
  const [merchant, influencer, enrolled] = await Promise.all([
    deps.merchants.get(input.merchantId),
    deps.influencers.get(input.influencerId),
    enrollment === 'enrolled' ? deps.enrollments.get(input.merchantId, input.influencerId) : undefined,
  ]);
  if (!influencer) throw notFound('The influencer');
  if (!merchant || (enrollment === 'enrolled' && !enrolled)) throw notFound('The merchant');
  const target = checkTargetUrl(input.targetUrl, merchant.allowedDomains, deps.ownHost);
  if (!target.ok) {
    throw apiError('invalid_body', undefined, [{ path: 'targetUrl', message: target.message }]);
  }
  const now = deps.now().toISOString();
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

  const alongside =
    enrollment === 'enroll'
      ? deps.enrollments.ensureItem(merchant.merchantId, influencer.influencerId, now)
      : deps.enrollments.existsCheck(merchant.merchantId, influencer.influencerId);
  /** A refused transaction is a taken code, unless the enrollment it required has ended. */
  const refused = async (code: string) => {
    if (
      enrollment === 'enrolled' &&
      !(await deps.enrollments.get(merchant.merchantId, influencer.influencerId, true))
    )
      throw notFound('The merchant');
    if (input.code) throw apiError('code_taken', `The code "${code}" is taken.`);
  };

  if (input.code) {
    const chosen = link(input.code);
    if (!(await deps.links.create(chosen, [alongside]))) await refused(input.code);
    return json(201, linkView(deps.publicBaseUrl, chosen));
  }
  // Generated codes collide about once in 10^12 creations; retry a few times all the same.
  for (let attempt = 0; attempt < 5; attempt++) {
    const generated = link(generatedCode());
    if (await deps.links.create(generated, [alongside]))
      return json(201, linkView(deps.publicBaseUrl, generated));
    await refused(generated.code);
  }
  throw apiError('busy', 'Could not find a free code; try again.');
}

/** `ownerId`: the influencer whose key asks; another's link is unknown to it. */
export async function getLink(deps: LinkDeps, code: string, ownerId?: string) {
  const link = await deps.links.get(code);
  if (!link || (ownerId !== undefined && link.influencerId !== ownerId)) throw notFound('The link');
  return json(200, linkView(deps.publicBaseUrl, link));
}

/** `ownerId`: the influencer whose key asks; another's link is unknown to it, and is not changed. */
export async function updateLink(deps: LinkDeps, code: string, input: UpdateLinkInput, ownerId?: string) {
  if (ownerId !== undefined) {
    // The owner of a link never changes, so a read before the write is enough to scope it.
    const read = await deps.links.get(code);
    if (!read || read.influencerId !== ownerId) throw notFound('The link');
  }
  const link = await deps.links.setDisabled(code, input.disabled, deps.now().toISOString());
  if (!link) throw notFound('The link');
  return json(200, linkView(deps.publicBaseUrl, link));
}
