/** Identifier rules shared by validation schemas and the redirect path (kept free of zod for bundle size). */

/** Caller-chosen ids for merchants, influencers and links (CONTRACT §1). */
export const ID_PATTERN = /^[A-Za-z0-9_-]{3,64}$/;

/** Path segments that are routes of their own and are never issued as link codes (CONTRACT §3). */
export const RESERVED_CODES = ['healthz', 'admin', 'webhooks', 'openapi', 'portal', 's'] as const;

export const isReservedCode = (code: string) =>
  (RESERVED_CODES as readonly string[]).includes(code.toLowerCase());

export const isValidCode = (code: string) => ID_PATTERN.test(code) && !isReservedCode(code);

/** Crockford base32, 26 characters: the shape of a ULID. */
export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The 10-character time prefix of a ULID for a time in epoch milliseconds. */
export function ulidTimePrefix(ms: number): string {
  let rest = Math.max(0, Math.floor(ms));
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD.charAt(rest % 32) + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** The smallest and largest ULID of a millisecond: bounds for a time-range query on ULID keys. */
export const ulidLowerBound = (ms: number) => `${ulidTimePrefix(ms)}0000000000000000`;
export const ulidUpperBound = (ms: number) => `${ulidTimePrefix(ms)}ZZZZZZZZZZZZZZZZ`;

/** The time encoded in a ULID, in epoch milliseconds. */
export function ulidTime(ulid: string): number {
  let ms = 0;
  for (const char of ulid.slice(0, 10)) ms = ms * 32 + CROCKFORD.indexOf(char);
  return ms;
}

export const isValidUlid = (value: string) => ULID_PATTERN.test(value);
