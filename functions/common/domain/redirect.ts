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
 * The redirect target: the link's own URL (its query and fragment kept), the short link's `utm_*`
 * parameters forwarded (they override the target's), and the click id in the merchant's parameter.
 * A bot gets no click id, so it can never be attributed.
 */
export function redirectLocation(input: {
  targetUrl: string;
  clickIdParam: string;
  clickId: string | undefined;
  rawQueryString: string | undefined;
}): string {
  const url = new URL(input.targetUrl);
  for (const [name, value] of new URLSearchParams(input.rawQueryString ?? '')) {
    if (name.toLowerCase().startsWith('utm_')) url.searchParams.set(name, value);
  }
  if (input.clickId !== undefined) url.searchParams.set(input.clickIdParam, input.clickId);
  else url.searchParams.delete(input.clickIdParam);
  return url.toString();
}

/** The `utm_*` parameters of the short-link request, kept on the click for campaign reports. */
export function utmOf(rawQueryString: string | undefined): Record<string, string> | undefined {
  const utm: Record<string, string> = {};
  let any = false;
  for (const [name, value] of new URLSearchParams(rawQueryString ?? '')) {
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
