/**
 * Pure rules of the redirect (CONTRACT §3): where a click is sent, who the visitor is, what is
 * recorded about the request. No I/O here; the redirect handler wires these to DynamoDB.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { isbot } from 'isbot';
import { UAParser } from 'ua-parser-js';

/** A visitor id is at least 128 random bits, URL-safe: 16 bytes in base64url are 22 characters. */
export const VISITOR_ID_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;
export const VISITOR_COOKIE = 'vid';
export const VISITOR_COOKIE_MAX_AGE_SECONDS = 31_536_000;

export const newVisitorId = () => randomBytes(16).toString('base64url');
export const isValidVisitorId = (value: string | undefined): value is string =>
  value !== undefined && VISITOR_ID_PATTERN.test(value);

export const visitorCookie = (visitorId: string) =>
  `${VISITOR_COOKIE}=${visitorId}; Path=/; Max-Age=${VISITOR_COOKIE_MAX_AGE_SECONDS}; HttpOnly; Secure; SameSite=Lax`;

/**
 * The redirect target: the link's own URL with its query kept byte for byte (a merchant's `%20`,
 * bare `flag`, `;` and `~` mean what the merchant meant; re-serialising through URLSearchParams
 * would rewrite them), the short link's `utm_*` parameters forwarded (they replace the target's own
 * in place), and the click id in the merchant's parameter. A bot gets no click id, so it can never
 * be attributed; a click id already on the target is always dropped or replaced. Fragment kept.
 */
export function redirectLocation(input: {
  targetUrl: string;
  clickIdParam: string;
  clickId: string | undefined;
  rawQueryString: string | undefined;
}): string {
  // Name → the value it must carry (undefined: the parameter must not appear at all).
  const overrides = new Map<string, string | undefined>();
  if (input.rawQueryString) {
    for (const [name, value] of new URLSearchParams(input.rawQueryString)) {
      if (name.toLowerCase().startsWith('utm_')) overrides.set(name, value);
    }
  }
  overrides.set(input.clickIdParam, input.clickId);
  return withQueryOverrides(input.targetUrl, overrides);
}

/**
 * `url` with each parameter of `overrides` set (at the place of its first occurrence, later ones
 * dropped; appended when absent) or removed (undefined), and every other byte of the query as it was.
 */
export function withQueryOverrides(url: string, overrides: ReadonlyMap<string, string | undefined>): string {
  const hashAt = url.indexOf('#');
  const fragment = hashAt === -1 ? '' : url.slice(hashAt);
  const beforeFragment = hashAt === -1 ? url : url.slice(0, hashAt);
  const queryAt = beforeFragment.indexOf('?');
  const base = queryAt === -1 ? beforeFragment : beforeFragment.slice(0, queryAt);
  const query = queryAt === -1 ? undefined : beforeFragment.slice(queryAt + 1);

  const placed = new Set<string>();
  const kept: string[] = [];
  let changed = false;
  for (const piece of query === undefined ? [] : query.split('&')) {
    const name = formDecode(piece.split('=', 1)[0] ?? '');
    if (!overrides.has(name)) {
      kept.push(piece);
      continue;
    }
    changed = true;
    const value = overrides.get(name);
    if (value !== undefined && !placed.has(name)) kept.push(formPair(name, value));
    placed.add(name);
  }
  const appended: string[] = [];
  for (const [name, value] of overrides) {
    if (value !== undefined && !placed.has(name)) appended.push(formPair(name, value));
  }
  if (!changed && appended.length === 0) return url;
  // Untouched, the original query is a prefix of the new one.
  const head = changed ? kept.join('&') : (query ?? '');
  const all = head === '' ? appended.join('&') : [head, ...appended].join('&');
  return `${base}${all === '' ? '' : `?${all}`}${fragment}`;
}

/** Characters that application/x-www-form-urlencoded leaves as they are. */
const FORM_SAFE = /^[A-Za-z0-9*._-]*$/;

/** A parameter encoded as application/x-www-form-urlencoded, as a browser's form would send it. */
const formPair = (name: string, value: string) =>
  // A click id and the usual parameter names need no encoding: skip building a URLSearchParams.
  FORM_SAFE.test(name) && FORM_SAFE.test(value)
    ? `${name}=${value}`
    : new URLSearchParams([[name, value]]).toString();

function formDecode(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** The `utm_*` parameters of the short-link request, kept on the click for campaign reports. */
export function utmOf(rawQueryString: string | undefined): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const utm: Record<string, string> = {};
  let any = false;
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    if (name.toLowerCase().startsWith('utm_') && name.length <= 64) {
      utm[name.toLowerCase()] = value.slice(0, 256);
      any = true;
    }
  }
  return any ? utm : undefined;
}

export interface UserAgentClass {
  bot: boolean;
  browser?: string;
  os?: string;
  /** `mobile`, `tablet`, `desktop`, … ; ua-parser leaves desktops undefined. */
  device: string;
}

/**
 * A request without a user agent is treated as a bot: every real browser sends one, and a click
 * that cannot be told from a script must never earn commission.
 */
export function classifyUserAgent(userAgent: string | undefined): UserAgentClass {
  const ua = userAgent?.trim() ?? '';
  if (ua === '') return { bot: true, device: 'unknown' };
  const parsed = new UAParser(ua).getResult();
  return {
    bot: isbot(ua),
    browser: parsed.browser.name,
    os: parsed.os.name,
    device: parsed.device.type ?? 'desktop',
  };
}

/** Only the host of the referrer is kept: its path may carry the shopper's own data. */
export function referrerHost(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    const host = new URL(referer).hostname.toLowerCase();
    return host === '' ? undefined : host;
  } catch {
    return undefined;
  }
}

/** A keyed hash of the IP: enough to group a visitor's clicks, useless to recover the address. */
export function hashIp(key: Buffer, ip: string): string {
  return createHmac('sha256', key).update(ip, 'utf8').digest('base64url').slice(0, 22);
}
