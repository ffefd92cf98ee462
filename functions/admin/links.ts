import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { generatedCode } from '../common/domain/random-ids';
import { checkTargetUrl } from '../common/domain/target-url';
import { parseJsonBody } from '../common/http/request';
import { conflict, HttpError, json, notFound } from '../common/http/responses';
import type { Link } from '../common/repos/links';
import { createLinkSchema, updateLinkSchema } from '../common/schemas/catalog';
import { admin } from './context';

export const linkView = (link: Link) => ({ ...link, shortUrl: `${admin.publicBaseUrl}/${link.code}` });

export async function createLink(event: APIGatewayProxyEventV2) {
  const input = parseJsonBody(event, createLinkSchema);
  const [merchant, influencer] = await Promise.all([
    admin.merchants.get(input.merchantId),
    admin.influencers.get(input.influencerId),
  ]);
  if (!influencer) throw notFound('The influencer');
  if (!merchant) throw notFound('The merchant');
  const target = checkTargetUrl(input.targetUrl, merchant.allowedDomains, admin.ownHost);
  if (!target.ok) {
    throw new HttpError(400, 'invalid_body', 'The request body is not valid.', [
      { path: 'targetUrl', message: target.message },
    ]);
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

  if (input.code) {
    const chosen = link(input.code);
    if (!(await admin.links.create(chosen)))
      throw conflict('code_taken', `The code "${input.code}" is taken.`);
    return json(201, linkView(chosen));
  }
  // Generated codes collide about once in 10^12 creations; retry a few times all the same.
  for (let attempt = 0; attempt < 5; attempt++) {
    const generated = link(generatedCode());
    if (await admin.links.create(generated)) return json(201, linkView(generated));
  }
  throw new HttpError(503, 'busy', 'Could not find a free code; try again.');
}

export async function getLink(code: string) {
  const link = await admin.links.get(code);
  if (!link) throw notFound('The link');
  return json(200, linkView(link));
}

export async function updateLink(event: APIGatewayProxyEventV2, code: string) {
  const input = parseJsonBody(event, updateLinkSchema);
  const link = await admin.links.setDisabled(code, input.disabled, admin.now().toISOString());
  if (!link) throw notFound('The link');
  return json(200, linkView(link));
}
