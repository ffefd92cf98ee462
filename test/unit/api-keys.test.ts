/** The format of API keys, their hash, and the constant-time re-check of a looked-up hash. */
import * as crypto from 'node:crypto';
import {
  API_KEY_PREFIX,
  apiKeyHash,
  looksLikeApiKey,
  newApiKey,
  sameHash,
} from '../../functions/common/domain/api-keys';

describe('API keys', () => {
  it.each(['merchant', 'influencer'] as const)(
    'a %s key has its prefix and 256 random bits in base64url',
    (kind) => {
      const { apiKey, hash } = newApiKey(kind);
      expect(apiKey.startsWith(API_KEY_PREFIX[kind])).toBe(true);
      const random = Buffer.from(apiKey.slice(API_KEY_PREFIX[kind].length), 'base64url');
      expect(random).toHaveLength(32);
      expect(hash).toBe(crypto.createHash('sha256').update(apiKey).digest('hex'));
      expect(looksLikeApiKey(apiKey)).toBe(true);
    },
  );

  it('never repeats a key', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => newApiKey('merchant').apiKey));
    expect(keys.size).toBe(1000);
  });

  it.each([
    ['an admin token', 'local-admin-token'],
    ['a short key', 'clk_m_abc'],
    ['an unknown kind', `clk_x_${'a'.repeat(43)}`],
    ['a key with a character outside base64url', `clk_m_${'a'.repeat(42)}+`],
    ['a key with a trailing character', `clk_i_${'a'.repeat(44)}`],
  ])('does not take %s for a key', (_, value) => {
    expect(looksLikeApiKey(value)).toBe(false);
  });

  it('compares hashes with timingSafeEqual, never with an early-exit comparison', () => {
    // The module object itself (not this file's namespace copy), which the domain module calls through.
    const spy = jest.spyOn(jest.requireActual<typeof crypto>('node:crypto'), 'timingSafeEqual');
    const a = apiKeyHash('clk_m_one');
    const b = apiKeyHash('clk_m_two');
    expect(sameHash(a, a)).toBe(true);
    expect(sameHash(a, b)).toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);
    expect(spy.mock.calls[1]).toEqual([Buffer.from(a, 'hex'), Buffer.from(b, 'hex')]);
    spy.mockRestore();
  });

  it('refuses anything that is not a SHA-256 on either side', () => {
    const a = apiKeyHash('clk_m_one');
    expect(sameHash(a, a.slice(2))).toBe(false);
    expect(sameHash('', '')).toBe(false);
    expect(sameHash('zz', 'zz')).toBe(false);
  });
});
