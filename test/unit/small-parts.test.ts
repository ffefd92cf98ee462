import { monotonicFactory } from 'ulid';
import { open, seal } from '../../functions/common/crypto/secret-box';
import { ulidLowerBound, ulidTime, ulidUpperBound } from '../../functions/common/domain/ids';
import { TtlCache } from '../../functions/common/ttl-cache';

describe('secret box', () => {
  const key = Buffer.alloc(32, 7);
  it('round-trips, and refuses another owner, another key or a tampered value', () => {
    const sealed = seal(key, 'whsec_abc', 'merchant:a');
    expect(sealed).not.toContain('whsec_abc');
    expect(open(key, sealed, 'merchant:a')).toBe('whsec_abc');
    expect(() => open(key, sealed, 'merchant:b')).toThrow();
    expect(() => open(Buffer.alloc(32, 8), sealed, 'merchant:a')).toThrow();
    const parts = sealed.split('.');
    parts[2] = Buffer.from('tampered').toString('base64url');
    expect(() => open(key, parts.join('.'), 'merchant:a')).toThrow();
  });
});

describe('ULID time bounds', () => {
  it('bracket every ULID made in that millisecond and decode back to it', () => {
    const make = monotonicFactory();
    const ms = Date.UTC(2026, 10, 3, 14, 5);
    const id = make(ms);
    expect(ulidLowerBound(ms) <= id && id <= ulidUpperBound(ms)).toBe(true);
    expect(ulidUpperBound(ms - 1) < id).toBe(true);
    expect(ulidLowerBound(ms + 1) > id).toBe(true);
    expect(ulidTime(id)).toBe(ms);
  });
});

describe('TtlCache', () => {
  it('loads once within the TTL, again after it, and never caches a failure', async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache<number>(1000, 10, () => now);
    const load = async () => ++loads;
    expect(await cache.get('a', load)).toBe(1);
    now = 999;
    expect(await cache.get('a', load)).toBe(1);
    now = 1000;
    expect(await cache.get('a', load)).toBe(2);

    await expect(cache.get('b', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await cache.get('b', load)).toBe(3);
  });

  it('shares one in-flight load and bounds its size', async () => {
    let loads = 0;
    const cache = new TtlCache<number>(1000, 2, () => 0);
    const slow = () => new Promise<number>((r) => setTimeout(() => r(++loads), 5));
    const [a, b] = await Promise.all([cache.get('k', slow), cache.get('k', slow)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    await cache.get('l', slow);
    await cache.get('m', slow);
    expect(await cache.get('k', slow)).toBe(4);
  });
});
