/**
 * Pure HTTP rules of the storefront page: its validator (ETag), conditional requests, and which
 * requests count as a view. No I/O; the storefront handler wires them to the request.
 */
import { createHash } from 'node:crypto';

/** Browsers and shared caches may keep the page for a minute; views within it are not re-counted. */
export const STOREFRONT_CACHE_CONTROL = 'public, max-age=60';

/** A strong validator of the page's exact bytes: any change to the page changes it. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body, 'utf8').digest('base64url').slice(0, 27)}"`;
}

/**
 * Whether `If-None-Match` matches the current ETag, so the answer is 304 (RFC 9110 §13.1.2: weak
 * comparison, a comma-separated list, or `*` for "any current representation").
 */
export function ifNoneMatchHits(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === wanted);
}

/**
 * A view is counted for a GET by something that is not a bot (an `isbot` match, or no user agent:
 * see classifyUserAgent) and is not a speculative prefetch. HEAD only asks about the page, and a
 * prefetch is a guess by the browser that the person may never act on; a later real visit that is
 * answered from the browser's cache is, like any cached view, not seen by the server at all.
 * A 304 answer is counted: it is a person looking at the page again after the cache expired.
 */
export function countsAsView(input: { method: string; bot: boolean; purpose?: string }): boolean {
  if (input.method.toUpperCase() !== 'GET' || input.bot) return false;
  return !/\bprefetch\b/i.test(input.purpose ?? '');
}
