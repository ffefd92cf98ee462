/**
 * Storefronts for operators (CONTRACT §3): `PUT /admin/storefronts/{handle}` creates or replaces one,
 * `GET` reads it. Checks run in the order that makes every 4xx write nothing: the handle and the body
 * (400), the influencer (404), every item's code against that influencer's links (400, each bad
 * item named), then one conditional write that also settles who owns the handle (409).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { requireEnv } from '../common/config/env';
import { storefrontUrl } from '../common/domain/storefront-page';
import { parseJsonBody, validate } from '../common/http/request';
import {
  conflict,
  type ErrorIssue,
  HttpError,
  type HttpResult,
  json,
  notFound,
} from '../common/http/responses';
import { type Storefront, storefrontRepo } from '../common/repos/storefronts';
import { handleSchema, putStorefrontSchema, storefrontPathSchema } from '../common/schemas/storefronts';
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

export async function putStorefront(event: APIGatewayProxyEventV2, rawHandle: string) {
  const { handle } = validate(
    storefrontPathSchema,
    { handle: rawHandle },
    'invalid_handle',
    'The storefront handle must be 3 to 64 letters, digits, "_" or "-".',
  );
  const input = parseJsonBody(event, putStorefrontSchema);
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
  if (issues.length) throw new HttpError(400, 'invalid_body', 'The request body is not valid.', issues);

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
    throw conflict('handle_taken', `The storefront handle "${handle}" belongs to another influencer.`);
  return json(200, storefrontView(result.storefront));
}

export async function getStorefront(handle: string) {
  const storefront = handleSchema.safeParse(handle).success ? await storefronts.get(handle) : undefined;
  if (!storefront) throw notFound('The storefront');
  return json(200, storefrontView(storefront));
}

/** The storefront routes of the admin function, spread into its action map. */
export const storefrontActions: Record<
  string,
  (event: APIGatewayProxyEventV2, param: (name: string) => string) => Promise<HttpResult>
> = {
  'PUT /admin/storefronts/{handle}': (e, p) => putStorefront(e, p('handle')),
  'GET /admin/storefronts/{handle}': (_, p) => getStorefront(p('handle')),
};
