/**
 * A Map that keeps at most `limit` entries, evicting the oldest insertion first. The
 * dedupe windows (seqs, message ids) use it so that their memory stays bounded on a
 * connection that lives for days.
 *
 * Eviction order is kept in a ring of keys, not read from the Map: V8's Map iterator
 * walks over deleted slots, so `map.keys().next()` after many evictions costs time in
 * proportion to them (measured: 6 µs per insert at 10,000 entries, against 0.1 µs here).
 */
export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();
  /** Keys in insertion order; grows to `limit`, then wraps (so an idle client holds almost nothing). */
  readonly #ring: K[] = [];
  readonly #limit: number;
  readonly #weigh: ((key: K) => number) | undefined;
  #next = 0;
  #bytes = 0;

  /** `weigh`, if given, sizes each key (in bytes); {@link bytes} is their sum over the keys held. */
  constructor(limit: number, weigh?: (key: K) => number) {
    this.#limit = Math.max(1, Math.floor(limit));
    this.#weigh = weigh;
  }

  /** The summed weight of the keys held (0 without `weigh`). */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  set(key: K, value: V): void {
    if (!this.#map.has(key)) {
      if (this.#ring.length < this.#limit) this.#ring.push(key);
      else {
        const old = this.#ring[this.#next] as K;
        this.#map.delete(old);
        if (this.#weigh) this.#bytes -= this.#weigh(old);
        this.#ring[this.#next] = key;
        this.#next = (this.#next + 1) % this.#limit;
      }
      if (this.#weigh) this.#bytes += this.#weigh(key);
    }
    this.#map.set(key, value);
  }
}
