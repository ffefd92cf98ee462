/**
 * GET|HEAD /{code} — the shopper's hot path (CONTRACT §3). A warm link costs exactly one DynamoDB
 * call: the click PutItem, awaited before the 302 because a Lambda may be frozen the moment it
 * returns. Link and merchant settings come from a short in-memory cache, so a change to a link is
 * seen within LINK_CACHE_TTL_MS. The duplicate flag is decided later, off this path (see
 * domain/duplicates.ts), and report counters are built from the clicks table's stream.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { monotonicFactory } from 'ulid';
import { BoundedMemo } from '../common/bounded-memo';
import { intEnv, requireEnv } from '../common/config/env';
import { ipHashKey } from '../common/config/keys';
import { isValidCode } from '../common/domain/ids';
import { pooledRandom } from '../common/domain/pooled-random';
import {
  classifyUserAgent,
  hashIp,
  isValidVisitorId,
  newVisitorId,
  redirectLocation,
  referrerHost,
  type UserAgentClass,
  utmOf,
  VISITOR_COOKIE,
  visitorCookie,
} from '../common/domain/redirect';
import { routeHandler } from '../common/http/adapter';
import { acceptingAlbEvents } from '../common/http/alb';
import { cookie, header } from '../common/http/request';
import { type ErrorCode, error, type HttpResult } from '../common/http/responses';
import { CLICK_RETENTION_DAYS, clickRepo } from '../common/repos/clicks';
import { type Link, linkRepo } from '../common/repos/links';
import { type Merchant, merchantRepo } from '../common/repos/merchants';
import { TtlCache } from '../common/ttl-cache';
import { redirectRoutes } from './routes';

const configTable = requireEnv('CONFIG_TABLE_NAME');
const clicksTable = requireEnv('CLICKS_TABLE_NAME');
/** At most 5 s by the contract: a disabled link must stop redirecting within 5 seconds. */
const cacheTtlMs = Math.min(intEnv('LINK_CACHE_TTL_MS', 4000), 5000);

const links = linkRepo(configTable);
const merchants = merchantRepo(configTable);
const clicks = clickRepo(clicksTable);
const linkCache = new TtlCache<Link | undefined>(cacheTtlMs);
const merchantCache = new TtlCache<Merchant | undefined>(cacheTtlMs);
const nextClickId = monotonicFactory(pooledRandom);

/**
 * Parsing a user agent is the costliest step of a redirect, and traffic repeats a small set of
 * them: the classes of the last 2,000 distinct ones are kept.
 */
const userAgentClasses = new BoundedMemo<UserAgentClass>(2000);
const userAgentClass = (userAgent: string | undefined): UserAgentClass =>
  userAgentClasses.get(userAgent ?? '', () => classifyUserAgent(userAgent));

/**
 * The keyed hash of a visitor's IP, the same for each of their clicks: the last 2,000 distinct
 * addresses are kept for the key they were hashed with (a rotated key starts afresh).
 */
const ipHashes = new BoundedMemo<string>(2000);
let ipHashesKey: Buffer | undefined;
function ipHashOf(key: Buffer, ip: string): string {
  if (key !== ipHashesKey) {
    ipHashes.clear();
    ipHashesKey = key;
  }
  return ipHashes.get(ip, (address) => hashIp(key, address));
}

/** GET and HEAD share one action: HEAD answers where the link goes and logs nothing. */
const followLink = async ({
  params: { code },
  event,
}: {
  params: { code: string };
  event: APIGatewayProxyEventV2;
}) => {
  const wantsHtml = (header(event, 'accept') ?? '').includes('text/html');
  const link = isValidCode(code) ? await linkCache.get(code, (c) => links.get(c)) : undefined;
  if (!link) return refusal('not_found', 'There is no link with this code.', wantsHtml);
  if (link.disabled) return refusal('link_disabled', 'This link has been disabled.', wantsHtml);
  const merchant = await merchantCache.get(link.merchantId, (id) => merchants.get(id));
  if (!merchant) return refusal('not_found', 'There is no link with this code.', wantsHtml);

  const userAgent = userAgentClass(header(event, 'user-agent'));
  const query = event.rawQueryString;

  // HEAD shows where the link goes; it is not a click.
  if (event.requestContext.http.method === 'HEAD') {
    return redirect(
      redirectLocation({ ...target(link, merchant), clickId: undefined, rawQueryString: query }),
    );
  }

  const presentedVisitor = cookie(event, VISITOR_COOKIE);
  const visitorId = isValidVisitorId(presentedVisitor) ? presentedVisitor : newVisitorId();
  const now = Date.now();
  const clickId = nextClickId(now);
  const ipKey = await ipHashKey();
  await clicks.put({
    clickId,
    code: link.code,
    influencerId: link.influencerId,
    merchantId: link.merchantId,
    visitorId,
    occurredAt: new Date(now).toISOString(),
    browser: userAgent.browser,
    os: userAgent.os,
    device: userAgent.device,
    referrerHost: referrerHost(header(event, 'referer')),
    ipHash: ipHashOf(ipKey, event.requestContext.http.sourceIp),
    bot: userAgent.bot,
    campaign: link.campaign,
    utm: utmOf(query),
    expiresAt: Math.floor(now / 1000) + CLICK_RETENTION_DAYS * 86_400,
  });
  // No metric and no log line here: the stream aggregator counts the Clicks metric per batch, so a
  // normal redirect writes nothing to its log (docs/cost.md).

  const location = redirectLocation({
    ...target(link, merchant),
    // A bot is sent on, but without a click id: it can never be attributed.
    clickId: userAgent.bot ? undefined : clickId,
    rawQueryString: query,
  });
  const cookies = presentedVisitor === visitorId ? undefined : [visitorCookie(visitorId)];
  return redirect(location, cookies);
};

// Behind the HTTP API, or the load balancer of the opt-in front door (lib/constructs/redirect-front-door.ts).
export const handler = acceptingAlbEvents(
  redirectRoutes,
  routeHandler(redirectRoutes, { followLink, checkLink: followLink }),
);

const target = (link: Link, merchant: Merchant) => ({
  targetUrl: link.targetUrl,
  clickIdParam: merchant.clickIdParam,
});

function redirect(location: string, cookies?: string[]): HttpResult {
  return { statusCode: 302, headers: { location, 'cache-control': 'no-store' }, cookies, body: '' };
}

/** JSON in the contract's error shape; a small page for a shopper's browser. */
function refusal(code: ErrorCode, message: string, html: boolean): HttpResult {
  const answer = error(code, message);
  if (!html) return answer;
  return {
    statusCode: answer.statusCode,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Link unavailable</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem"><h1>Link unavailable</h1><p>${message}</p></body></html>`,
  };
}
