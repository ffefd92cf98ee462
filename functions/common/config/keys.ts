import { hkdfSync } from 'node:crypto';
import { secretValue } from './secrets';

/** The secrets that hold a 256-bit key, written as 64 hex digits. */
export type KeySecret = 'ipHashKey' | 'webhookSealKey';

const KEY_PATTERN = /^[0-9a-f]{64}$/;

/** The last value read per secret and its decoded key, so a request does not decode it again. */
const decoded = new Map<KeySecret, { value: string; key: Buffer }>();

async function keyOf(secret: KeySecret): Promise<Buffer> {
  const value = (await secretValue(secret)).trim();
  const hit = decoded.get(secret);
  if (hit?.value === value) return hit.key;
  if (!KEY_PATTERN.test(value)) {
    throw new Error(`Configuration error: the ${secret} secret must be 64 lowercase hex digits (256 bits).`);
  }
  const key = Buffer.from(value, 'hex');
  decoded.set(secret, { value, key });
  return key;
}

/** Keys the hash of a shopper's IP, so the raw IP is never stored. */
export const ipHashKey = () => keyOf('ipHashKey');

/** Seals merchants' webhook secrets at rest in the config table. */
export const webhookSealKey = () => keyOf('webhookSealKey');

/**
 * Before each key had a secret of its own, both were derived (HKDF-SHA256, no salt) from one master
 * secret with these labels. Deriving them the same way carries existing data over: sealed webhook
 * secrets still open and IP hashes stay comparable.
 */
const LEGACY_INFO: Record<KeySecret, string> = {
  ipHashKey: 'creditlink/ip-hash/v1',
  webhookSealKey: 'creditlink/webhook-secrets/v1',
};

/** The key the old master secret stood for, as the 64 hex digits its own secret now holds. */
export function keyFromLegacyMasterKey(master: string, secret: KeySecret): string {
  return Buffer.from(
    hkdfSync('sha256', Buffer.from(master, 'utf8'), Buffer.alloc(0), LEGACY_INFO[secret], 32),
  ).toString('hex');
}
