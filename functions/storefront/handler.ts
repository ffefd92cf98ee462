/**
 * GET|HEAD /s/{handle} — a curated storefront page (CONTRACT §3). Server-rendered HTML, cacheable
 * for a minute by browsers and shared caches, with an ETag for cheap revalidation. A warm page costs
 * one DynamoDB call, and only for a counted view: the view event PutItem (awaited, because a Lambda
 * may be frozen the moment it returns). The page data comes from a short in-memory cache, and the
 * `storefrontViews` counters are built off this path from the clicks table's stream (see
 * repos/storefronts.ts for why views are items of the clicks table).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { monotonicFactory } from 'ulid';
import { intEnv, requireEnv } from '../common/config/env';
import { classifyUserAgent, isValidVisitorId, referrerHost, VISITOR_COOKIE } from '../common/domain/redirect';
import { renderNotFoundPage, STOREFRONT_CSP } from '../common/domain/storefront-page';
import { countsAsView, ifNoneMatchHits, STOREFRONT_CACHE_CONTROL } from '../common/domain/storefront-rules';
import { routeHandler } from '../common/http/adapter';
import { cookie, header } from '../common/http/request';
import type { HttpResult } from '../common/http/responses';
import { logger } from '../common/logger';
import {
  STOREFRONT_VIEW_KIND,
  storefrontRepo,
  storefrontViewRepo,
  viewRetentionSeconds,
} from '../common/repos/storefronts';
import { pageLoader } from './page';
import { storefrontRoutes } from './routes';

const publicBaseUrl = new URL(requireEnv('PUBLIC_BASE_URL')).toString().replace(/\/$/, '');
const pages = pageLoader({
  storefronts: storefrontRepo(requireEnv('CONFIG_TABLE_NAME')),
  publicBaseUrl,
  // Like the redirect's link cache: a disabled link's card is gone from fresh renders within seconds.
  cacheTtlMs: Math.min(intEnv('STOREFRONT_CACHE_TTL_MS', 5000), 60_000),
});
const views = storefrontViewRepo(requireEnv('CLICKS_TABLE_NAME'));
const nextViewId = monotonicFactory();

const pageHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': STOREFRONT_CSP,
  'x-content-type-options': 'nosniff',
};
const notFoundBody = renderNotFoundPage();

/** GET and HEAD share one action: HEAD is never counted as a view. */
const viewStorefront = async ({
  params,
  event,
}: {
  params: { handle: string };
  event: APIGatewayProxyEventV2;
}): Promise<HttpResult> => {
  const page = await pages.get(params.handle);
  if (!page) {
    return { statusCode: 404, headers: { ...pageHeaders, 'cache-control': 'no-store' }, body: notFoundBody };
  }

  const userAgent = classifyUserAgent(header(event, 'user-agent'));
  const counted = countsAsView({
    method: event.requestContext.http.method,
    bot: userAgent.bot,
    purpose: header(event, 'sec-purpose') ?? header(event, 'purpose') ?? header(event, 'x-moz'),
  });
  if (counted) {
    const now = Date.now();
    const viewerId = cookie(event, VISITOR_COOKIE);
    try {
      await views.put({
        clickId: nextViewId(now),
        itemType: STOREFRONT_VIEW_KIND,
        handle: page.handle,
        influencerId: page.influencerId,
        occurredAt: new Date(now).toISOString(),
        viewerId: isValidVisitorId(viewerId) ? viewerId : undefined,
        browser: userAgent.browser,
        os: userAgent.os,
        device: userAgent.device,
        referrerHost: referrerHost(header(event, 'referer')),
        expiresAt: Math.floor(now / 1000) + viewRetentionSeconds,
      });
    } catch (err) {
      // A view is a statistic, the page is the product: a failed count is logged as an error, never
      // turned into a broken page for the shopper (the product clicks are logged by the redirect).
      logger.error('Storefront view not recorded', err as Error);
    }
  }

  const validators = { etag: page.etag, 'cache-control': STOREFRONT_CACHE_CONTROL };
  if (ifNoneMatchHits(header(event, 'if-none-match'), page.etag)) {
    return { statusCode: 304, headers: validators, body: '' } satisfies HttpResult;
  }
  return { statusCode: 200, headers: { ...pageHeaders, ...validators }, body: page.html };
};

export const handler = routeHandler(storefrontRoutes, { viewStorefront, checkStorefront: viewStorefront });
