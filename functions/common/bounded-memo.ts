/**
 * A synchronous memo of a pure function for one warm instance, holding at most `maxEntries` results:
 * when full, the oldest one goes (a Map keeps insertion order). For work that repeats across
 * requests and costs more than a lookup, such as parsing a user agent or hashing an address.
 */
export class BoundedMemo<V> {
  private readonly results = new Map<string, V>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, compute: (key: string) => V): V {
    const hit = this.results.get(key);
    if (hit !== undefined) return hit;
    const computed = compute(key);
    if (this.results.size >= this.maxEntries) {
      const oldest = this.results.keys().next();
      if (!oldest.done) this.results.delete(oldest.value);
    }
    this.results.set(key, computed);
    return computed;
  }

  get size(): number {
    return this.results.size;
  }

  clear(): void {
    this.results.clear();
  }
}
