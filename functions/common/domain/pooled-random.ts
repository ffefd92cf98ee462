import { randomBytes } from 'node:crypto';

/**
 * A PRNG for ULIDs (a fraction in [0, 1)) drawn from a pool of cryptographic random bytes. The
 * `ulid` library otherwise asks the crypto module for one byte at a time, 16 times per id, which
 * was a tenth of the redirect's CPU. A byte over 256 gives each of Crockford's 32 symbols exactly
 * 8 byte values, so the ids stay uniform.
 */
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let next = 0;

export function pooledRandom(): number {
  if (next >= POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    next = 0;
  }
  const byte = pool[next++] ?? 0;
  return byte / 256;
}
