// A bounded LRU of tokens whose signature and claims have been verified, keyed by the
// token string, so a token used for many calls costs one Ed25519 verify. An entry is
// dropped once its token can no longer be accepted. It remembers only what the token
// itself proves; per-call checks (tool, key binding, time, revocation) are never cached.

export interface VerifiedTokenCache<T> {
  /** The entry for this token, unless absent or past `until` (then it is dropped). */
  get(token: string, nowSeconds: number): T | undefined;
  /** Keeps the entry until `until` (unix seconds), evicting the least recently used when full. */
  set(token: string, value: T, until: number): void;
  readonly size: number;
}

export function createVerifiedTokenCache<T>(maxEntries: number): VerifiedTokenCache<T> {
  if (!Number.isInteger(maxEntries) || maxEntries < 0) {
    throw new RangeError("cacheSize must be a non-negative integer (0 turns the cache off)");
  }
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the least recent.
  const entries = new Map<string, { value: T; until: number }>();
  return {
    get(token, nowSeconds) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      entries.delete(token);
      if (nowSeconds >= entry.until) return undefined;
      entries.set(token, entry);
      return entry.value;
    },
    set(token, value, until) {
      if (maxEntries === 0) return;
      entries.delete(token);
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
      entries.set(token, { value, until });
    },
    get size() {
      return entries.size;
    },
  };
}
