/**
 * Remembers limiter keys that Redis reported as over the limit, until their oldest logged hit
 * leaves the window. Until then no request can be admitted (the log only shrinks by ageing), so
 * answering 429 locally is exact and spares Redis the round trip for abusive clients.
 *
 * Bounded: when full, the entries closest to expiry (oldest inserted) are dropped first, so a flood
 * of distinct blocked keys costs memory `maxEntries` at most and only means more Redis checks.
 */
export class BlockCache {
  private readonly entries = new Map<string, number>();

  constructor(private readonly maxEntries = 100_000) {}

  /** Milliseconds the key stays blocked, or 0 when it is not known to be blocked. */
  remainingMs(key: string, now: number): number {
    const until = this.entries.get(key);
    if (until === undefined) return 0;
    if (until <= now) {
      this.entries.delete(key);
      return 0;
    }
    return until - now;
  }

  /** Marks `key` blocked until `until` (same clock as `now` in remainingMs). */
  block(key: string, until: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, until);
  }

  get size(): number {
    return this.entries.size;
  }
}
