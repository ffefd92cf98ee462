/**
 * The portal's secrets (CONTRACT §11): one-time login tokens and session ids carry 256 random bits
 * and are stored only as their SHA-256 (they are random, so a slow hash buys nothing); each session
 * has its own CSRF token, which every form of the portal posts back.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A login link is valid this long after it is made. */
export const LOGIN_LINK_TTL_MS = 15 * 60_000;
/** A session lasts this long after the login link was opened (the cookie's Max-Age too). */
export const SESSION_TTL_MS = 12 * 3_600_000;
export const SESSION_COOKIE = 'clk_portal';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** 32 random bytes, base64url: 43 characters. */
export const newSecretToken = (): string => randomBytes(32).toString('base64url');

export const looksLikeToken = (value: string | undefined): value is string =>
  value !== undefined && TOKEN_PATTERN.test(value);

export const tokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Whether two tokens are equal, in time that does not depend on where they differ. */
export function sameToken(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Tells the browser to forget the session cookie (signing out). */
export const clearedSessionCookie = () =>
  `${SESSION_COOKIE}=; Path=/portal; Max-Age=0; HttpOnly; Secure; SameSite=Lax`;

/** The session cookie, scoped to the portal's paths and never readable by script. */
export const sessionCookie = (sessionId: string) =>
  `${SESSION_COOKIE}=${sessionId}; Path=/portal; Max-Age=${SESSION_TTL_MS / 1000}; HttpOnly; Secure; SameSite=Lax`;
