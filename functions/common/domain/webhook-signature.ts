/**
 * Standard Webhooks verification (CONTRACT §4): the HMAC-SHA256 of `<id>.<timestamp>.<raw body>`
 * over the exact bytes received (a body that is not valid UTF-8 is still signed correctly, and then
 * refused as an invalid body, not as a bad signature), each `v1` signature compared in constant
 * time, a 5-minute timestamp tolerance, several signatures allowed. Any of the merchant's live
 * secrets may match (rotation overlap).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignatureHeaders {
  'webhook-id'?: string;
  'webhook-timestamp'?: string;
  'webhook-signature'?: string;
}

/** Longest webhook-id we keep as a de-duplication key. */
export const MAX_WEBHOOK_ID_LENGTH = 256;

/** How far `webhook-timestamp` may be from now, either way (the specification's tolerance). */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

const SECRET_PREFIX = 'whsec_';
const HMAC_BYTES = 32;

/**
 * The verified `webhook-id`, or undefined when no secret verifies the request. Every secret costs
 * exactly one HMAC whatever the outcome, so the time taken depends only on how many secrets there
 * are, never on which one (if any) matched.
 */
export function verifySignature(
  rawBody: Buffer,
  headers: SignatureHeaders,
  secrets: readonly string[],
  now: Date = new Date(),
): string | undefined {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  if (!id || !timestamp || !signature || id.length > MAX_WEBHOOK_ID_LENGTH) return undefined;
  // Plain Unix seconds only (no sign, no fraction, no leading spaces).
  if (!/^\d{1,12}$/.test(timestamp)) return undefined;
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) return undefined;

  const presented = v1Signatures(signature);
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), rawBody]);
  let verified = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secretKey(secret)).update(signed).digest();
    for (const candidate of presented) {
      // Lengths are public (always 32 for a v1 signature); the bytes are compared in constant time.
      if (timingSafeEqual(candidate, expected)) verified = true;
    }
  }
  return verified ? id : undefined;
}

/** The decoded `v1,<base64>` entries of the header that are the size of an HMAC-SHA256. */
function v1Signatures(header: string): Buffer[] {
  const found: Buffer[] = [];
  for (const entry of header.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma === -1 || entry.slice(0, comma) !== 'v1') continue;
    const bytes = Buffer.from(entry.slice(comma + 1), 'base64');
    if (bytes.length === HMAC_BYTES) found.push(bytes);
  }
  return found;
}

/** The HMAC key: the base64-decoded part of the secret after `whsec_`. */
function secretKey(secret: string): Buffer {
  return Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
}
