/**
 * The portal's "new link" form: a link for a merchant of the influencer's programs, with the same
 * target rules as the API (CONTRACT §5, §11). A refused form is the dashboard again, with each error
 * next to its field and nothing written.
 */
import { generatedCode } from '../common/domain/random-ids';
import { checkTargetUrl } from '../common/domain/target-url';
import { zodIssues } from '../common/http/request';
import { apiError, type HttpResult } from '../common/http/responses';
import type { Link } from '../common/repos/links';
import { portalLinkFormSchema } from '../common/schemas/portal';
import { portal } from './context';
import { dashboardPage } from './dashboard';
import { htmlPage } from './pages';

const FIELDS = ['merchantId', 'targetUrl', 'code', 'campaign'] as const;

export async function createPortalLink(
  influencerId: string,
  csrfToken: string,
  rawBody: Buffer,
): Promise<HttpResult> {
  const form = new URLSearchParams(rawBody.toString('utf8'));
  const values = Object.fromEntries(FIELDS.map((name) => [name, (form.get(name) ?? '').trim()]));
  const refuse = async (status: number, errors: Record<string, string>) =>
    htmlPage(status, await dashboardPage(influencerId, csrfToken, { values, errors }));

  const parsed = portalLinkFormSchema.safeParse(values);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of zodIssues(parsed.error)) errors[issue.path] ??= issue.message;
    return refuse(400, errors);
  }
  const input = parsed.data;
  const [enrollment, merchant] = await Promise.all([
    portal.enrollments.get(input.merchantId, influencerId),
    portal.merchants.get(input.merchantId),
  ]);
  if (!enrollment || !merchant) return refuse(400, { merchantId: 'Choose one of your programs.' });
  const target = checkTargetUrl(input.targetUrl, merchant.allowedDomains, portal.ownHost);
  if (!target.ok) return refuse(400, { targetUrl: target.message });

  const now = portal.now().toISOString();
  const link = (code: string): Link => ({
    code,
    influencerId,
    merchantId: merchant.merchantId,
    targetUrl: target.url,
    ...(input.campaign ? { campaign: input.campaign } : {}),
    disabled: false,
    createdAt: now,
    updatedAt: now,
  });
  let made: Link | undefined;
  if (input.code) {
    const chosen = link(input.code);
    if (!(await portal.links.create(chosen)))
      return refuse(409, { code: `The code "${input.code}" is taken.` });
    made = chosen;
  } else {
    // Generated codes collide about once in 10^12 creations; retry a few times all the same.
    for (let attempt = 0; attempt < 5 && !made; attempt++) {
      const generated = link(generatedCode());
      if (await portal.links.create(generated)) made = generated;
    }
    if (!made) throw apiError('busy', 'Could not find a free code; try again.');
  }
  // Post/redirect/get: a reload of the dashboard does not post the form again.
  return {
    statusCode: 303,
    headers: {
      location: `/portal?created=${encodeURIComponent(made.code)}`,
      'cache-control': 'private, no-store',
    },
    body: '',
  };
}
