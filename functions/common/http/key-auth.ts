/**
 * Verifying merchants' and influencers' API keys (CONTRACT §11), for the adapter.
 *
 * - A key is looked up by its SHA-256 (one strongly consistent GetItem), then the stored hash is
 *   compared with the presented one in constant time.
 * - Verified keys, and unknown ones, are cached in memory for at most 5 seconds, so a warm instance
 *   does not read the key on every request and a deleted key is refused within 5 seconds (the
 *   cached entry expires at most 5 s after the read that filled it began, and that read began
 *   before the deletion answered).
 * - `lastUsedAt` is written at most once a minute per key: a small map remembers when this instance
 *   last wrote it, and the UpdateItem's condition skips it when another instance wrote it in the
 *   last minute. The write runs alongside the action and is joined before the response is returned,
 *   because Lambda may freeze the instance the moment the handler returns, so a write left running
 *   could be lost or land minutes later. A failed write is logged and never fails the request.
 */
import { apiKeyHash, looksLikeApiKey, sameHash } from '../domain/api-keys';
import { logger } from '../logger';
import type { ApiKeyRepo, StoredApiKey } from '../repos/api-keys';
import { TtlCache } from '../ttl-cache';

/** A deleted key may keep working this long on a warm instance, and no longer (CONTRACT §11: 5 s). */
export const KEY_CACHE_TTL_MS = 5_000;
/** `lastUsedAt` is precise to about this much. */
export const LAST_USED_EVERY_MS = 60_000;
const MAX_REMEMBERED = 10_000;

export interface KeyVerifierOptions {
  repo: Pick<ApiKeyRepo, 'findByHash' | 'recordUse'>;
  /** Milliseconds since the epoch; injected by tests. */
  now?: () => number;
}

export function keyVerifier({ repo, now = Date.now }: KeyVerifierOptions) {
  const cache = new TtlCache<StoredApiKey | undefined>(KEY_CACHE_TTL_MS, MAX_REMEMBERED, now);
  /** When this instance last wrote each key's `lastUsedAt` (or tried to), by key id. */
  const lastWritten = new Map<string, number>();

  return {
    /** The stored key a bearer credential is, or undefined (malformed, unknown or deleted). */
    async verify(presented: string): Promise<StoredApiKey | undefined> {
      if (!looksLikeApiKey(presented)) return undefined;
      const hash = apiKeyHash(presented);
      const stored = await cache.get(hash, (h) => repo.findByHash(h));
      return stored && sameHash(stored.keyHash, hash) ? stored : undefined;
    },

    /** Records a use of the key, unless this instance recorded one in the last minute. Never rejects. */
    async recordUse(key: StoredApiKey): Promise<void> {
      const t = now();
      const previous = lastWritten.get(key.keyId);
      if (previous !== undefined && t - previous < LAST_USED_EVERY_MS) return;
      // Claimed before the write, so concurrent requests on this instance write once between them.
      lastWritten.delete(key.keyId);
      lastWritten.set(key.keyId, t);
      if (lastWritten.size > MAX_REMEMBERED) {
        const oldest = lastWritten.keys().next();
        if (!oldest.done) lastWritten.delete(oldest.value);
      }
      try {
        await repo.recordUse(key, new Date(t).toISOString(), new Date(t - LAST_USED_EVERY_MS).toISOString());
      } catch (err) {
        // The next request tries again; the request itself was served.
        if (lastWritten.get(key.keyId) === t) lastWritten.delete(key.keyId);
        logger.warn('Could not record the use of an API key', { keyId: key.keyId, error: err as Error });
      }
    },
  };
}
export type KeyVerifier = ReturnType<typeof keyVerifier>;
