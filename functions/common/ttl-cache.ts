/**
 * A small in-memory cache with a time-to-live, one per warm function instance. It caches misses too
 * (a flood of requests for an unknown code costs one read per TTL) and shares one in-flight load
 * between concurrent callers.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, load: (key: string) => Promise<V>): Promise<V> {
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > t) return hit.value;
    if (hit) this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      // Map keeps insertion order: drop the oldest entry.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const value = load(key);
    this.entries.set(key, { value, expiresAt: t + this.ttlMs });
    // A failed load is not cached: the next request reads again.
    value.catch(() => this.entries.delete(key));
    return value;
  }

  /** Forgets one key, so the next `get` loads it afresh. */
  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
