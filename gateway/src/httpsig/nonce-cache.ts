// Replay protection: a nonce is remembered per key until the signature that carried it can
// no longer be accepted, so a replay inside that window is caught and nothing older needs
// remembering. The interface is small so a shared store (Redis SET NX EX, see
// shared-state/redis-nonce-cache.ts) can replace the in-memory one for several instances.

export interface NonceCache {
  /**
   * Records `nonce` for `kid` until `keepUntilUnix` (seconds). Returns true when the nonce
   * is new, false when it was already seen. `owner` (the key's agent; default: the kid) is
   * whose quota the entry counts against, so an agent with many keys has one quota.
   * May throw (or reject with) {@link NonceCacheFullError}; a shared cache that cannot be
   * reached rejects with StoreUnavailableError, and the request is refused (fail closed).
   */
  remember(kid: string, nonce: string, keepUntilUnix: number, owner?: string): boolean | Promise<boolean>;
}

/**
 * The cache is full of nonces that are still live. Forgetting one would reopen a replay
 * window, so the request is refused instead; `retryAfterSeconds` is when room frees up.
 */
export class NonceCacheFullError extends Error {
  override readonly name = "NonceCacheFullError";
  constructor(readonly retryAfterSeconds: number) {
    super("the replay cache is full of live nonces");
  }
}

export interface MemoryNonceCacheOptions {
  /** Total nonces held at once; default 200 000 (about 30 MB). */
  maxEntries?: number;
  /**
   * Nonces one owner (an agent, over all its keys) may hold at once, so one busy or hostile agent
   * cannot fill the cache and lock the others out; default 20 000.
   */
  maxEntriesPerOwner?: number;
  /** Clock in milliseconds; default Date.now. */
  now?: () => number;
}

interface Entry {
  keepUntil: number;
  kid: string;
  nonce: string;
  owner: string;
}

/**
 * In-memory cache for one gateway process. Expired entries are evicted first, in expiry
 * order, through a min-heap, so each call costs O(log n). When the bound is full of live
 * entries it refuses (throws NonceCacheFullError) rather than forget a live nonce.
 */
export function createMemoryNonceCache(options: MemoryNonceCacheOptions = {}): NonceCache & {
  remember(kid: string, nonce: string, keepUntilUnix: number, owner?: string): boolean;
  size(): number;
} {
  const maxEntries = options.maxEntries ?? 200_000;
  const maxEntriesPerOwner = options.maxEntriesPerOwner ?? 20_000;
  const now = options.now ?? Date.now;
  for (const [name, value] of Object.entries({ maxEntries, maxEntriesPerOwner })) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  if (typeof now !== "function") throw new TypeError("now must be a function returning milliseconds");

  const byKey = new Map<string, Map<string, number>>();
  const perOwner = new Map<string, number>();
  const heap: Entry[] = [];
  let size = 0;

  function evictExpired(nowUnix: number): void {
    while (heap.length > 0 && heap[0]!.keepUntil < nowUnix) {
      const entry = popMin(heap);
      const nonces = byKey.get(entry.kid);
      if (nonces?.get(entry.nonce) !== entry.keepUntil) continue;
      nonces.delete(entry.nonce);
      size--;
      const held = (perOwner.get(entry.owner) ?? 1) - 1;
      if (held === 0) perOwner.delete(entry.owner);
      else perOwner.set(entry.owner, held);
      if (nonces.size === 0) byKey.delete(entry.kid);
    }
  }

  return {
    remember(kid, nonce, keepUntilUnix, owner = kid) {
      const nowUnix = now() / 1000;
      evictExpired(nowUnix);
      const nonces = byKey.get(kid);
      if (nonces?.has(nonce)) return false;
      const retryAfter = () => Math.max(1, Math.ceil((heap[0]?.keepUntil ?? nowUnix) - nowUnix));
      if (size >= maxEntries || (perOwner.get(owner) ?? 0) >= maxEntriesPerOwner) {
        throw new NonceCacheFullError(retryAfter());
      }
      if (keepUntilUnix < nowUnix) return true; // already unacceptable: nothing to guard
      const forKey = nonces ?? new Map<string, number>();
      if (!nonces) byKey.set(kid, forKey);
      forKey.set(nonce, keepUntilUnix);
      pushHeap(heap, { keepUntil: keepUntilUnix, kid, nonce, owner });
      size++;
      perOwner.set(owner, (perOwner.get(owner) ?? 0) + 1);
      return true;
    },
    size: () => size,
  };
}

function pushHeap(heap: Entry[], entry: Entry): void {
  heap.push(entry);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]!.keepUntil <= entry.keepUntil) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = entry;
}

function popMin(heap: Entry[]): Entry {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length === 0) return top;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && heap[right]!.keepUntil < heap[left]!.keepUntil ? right : left;
    if (heap[child]!.keepUntil >= last.keepUntil) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = last;
  return top;
}
