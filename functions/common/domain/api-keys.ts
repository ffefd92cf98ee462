/**
 * API keys of merchants and influencers (CONTRACT §11): their format, and the one form in which they
 * are ever stored. A key is `clk_m_` or `clk_i_` and 256 random bits in base64url; it is random, not a
 * password, so a fast hash (SHA-256) is enough — nobody can guess a preimage of 256 random bits, and
 * a slow hash would only slow every request down.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_KINDS = ['merchant', 'influencer'] as const;
export type ApiKeyKind = (typeof API_KEY_KINDS)[number];

export const API_KEY_PREFIX: Record<ApiKeyKind, string> = { merchant: 'clk_m_', influencer: 'clk_i_' };

/** 32 random bytes are 43 base64url characters (no padding). */
const RANDOM_BYTES = 32;
const KEY_PATTERN = /^clk_([mi])_([A-Za-z0-9_-]{43})$/;

/** How many keys one merchant or influencer may hold at once (more is 409 `api_key_limit`). */
export const MAX_API_KEYS_PER_OWNER = 20;

/** The SHA-256 of a key, in hex: the key's identity in storage. */
export const apiKeyHash = (apiKey: string): string =>
  createHash('sha256').update(apiKey, 'utf8').digest('hex');

/** A new key of this kind, with its hash (the key itself is shown once and never stored). */
export function newApiKey(kind: ApiKeyKind): { apiKey: string; hash: string } {
  const apiKey = `${API_KEY_PREFIX[kind]}${randomBytes(RANDOM_BYTES).toString('base64url')}`;
  return { apiKey, hash: apiKeyHash(apiKey) };
}

/**
 * Whether a bearer value has the shape of an API key. Only a well-formed key is looked up, so
 * garbage costs no read; the kind in the prefix is not trusted (the stored kind decides).
 */
export const looksLikeApiKey = (value: string): boolean => KEY_PATTERN.test(value);

/**
 * Whether two hex SHA-256 hashes are equal, in time that does not depend on where they differ.
 * The stored hash is found by the presented one, so this re-checks what the key lookup matched,
 * without an early-exit comparison an attacker could time.
 */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === 32 && right.length === 32 && timingSafeEqual(left, right);
}
