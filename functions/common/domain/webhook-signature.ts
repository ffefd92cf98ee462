/**
 * Standard Webhooks verification (CONTRACT §4), with the specification's own library: the HMAC of
 * `<id>.<timestamp>.<raw body>`, compared in constant time, a 5-minute timestamp tolerance, several
 * signatures allowed. Any of the merchant's live secrets may match (rotation overlap).
 */
import { Webhook } from 'standardwebhooks';

export interface SignatureHeaders {
  'webhook-id'?: string;
  'webhook-timestamp'?: string;
  'webhook-signature'?: string;
}

/** Longest webhook-id we keep as a de-duplication key. */
export const MAX_WEBHOOK_ID_LENGTH = 256;

/** The verified `webhook-id`, or undefined when no secret verifies the request. */
export function verifySignature(
  rawBody: Buffer,
  headers: SignatureHeaders,
  secrets: readonly string[],
): string | undefined {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  if (!id || !timestamp || !signature || id.length > MAX_WEBHOOK_ID_LENGTH) return undefined;
  // The library parses the timestamp leniently (parseInt); the header must be plain Unix seconds.
  if (!/^\d{1,12}$/.test(timestamp)) return undefined;
  const wanted = { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(rawBody, wanted, { jsonParse: false });
      return id;
    } catch {
      // Not this secret (or stale): try the next one.
    }
  }
  return undefined;
}
