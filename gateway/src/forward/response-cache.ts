// A small in-memory cache for idempotent reads (SerpAPI search, http GET fetches). Entries are the upstream
// answer before obligations (those are applied per call, since each call's policy decision may differ),
// keyed per agent and per agent-visible request, so one agent never sees another's answer. Only 2xx answers
// are stored; the oldest entries go first when the entry or byte bound is reached.
import { createHash } from "node:crypto";

export interface CachedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface ResponseCache {
  get(key: string): CachedResponse | undefined;
  set(key: string, response: CachedResponse): void;
  readonly size: number;
  clear(): void;
}

export interface ResponseCacheOptions {
  ttlSeconds: number;
  /** Most entries kept (default 1000). */
  maxEntries?: number;
  /** Most body bytes kept in total (default 32 MiB); a larger body is not cached. */
  maxBytes?: number;
  /** Milliseconds since the epoch (tests pass a fake clock). */
  now?: () => number;
}

/** The parts of a request that make two answers interchangeable for one agent. */
export interface CacheKeyParts {
  agentId: string;
  tool: string;
  method: string;
  path: string;
  /** Query parameters as the agent sent them, without gateway credentials; order does not matter. */
  query: ReadonlyArray<readonly [string, string]>;
  /** Anything else that changes the answer (e.g. the http tool's URL and headers). */
  extra?: unknown;
}

export function cacheKey(parts: CacheKeyParts): string {
  const query = [...parts.query].sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1));
  const canonical = JSON.stringify([parts.agentId, parts.tool, parts.method, parts.path, query, parts.extra]);
  return createHash("sha256").update(canonical).digest("base64url");
}

interface Entry extends CachedResponse {
  expiresAt: number;
}

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { ttlSeconds, maxEntries = 1000, maxBytes = 32 * 1024 * 1024, now = Date.now } = options;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0)
    throw new RangeError("ttlSeconds must be an integer >= 0");
  if (!Number.isInteger(maxEntries) || maxEntries < 1)
    throw new RangeError("maxEntries must be a positive integer");
  if (!Number.isInteger(maxBytes) || maxBytes < 1)
    throw new RangeError("maxBytes must be a positive integer");
  // A Map iterates in insertion order: the first key is the oldest entry.
  const entries = new Map<string, Entry>();
  let bytes = 0;

  const remove = (key: string): void => {
    const entry = entries.get(key);
    if (!entry) return;
    bytes -= entry.body.length;
    entries.delete(key);
  };

  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        remove(key);
        return undefined;
      }
      return { status: entry.status, headers: { ...entry.headers }, body: entry.body };
    },
    set(key, response) {
      if (ttlSeconds === 0 || response.status < 200 || response.status > 299) return;
      if (response.body.length > maxBytes) return;
      remove(key);
      while (entries.size >= maxEntries || bytes + response.body.length > maxBytes) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        remove(oldest);
      }
      entries.set(key, {
        status: response.status,
        headers: { ...response.headers },
        body: response.body,
        expiresAt: now() + ttlSeconds * 1000,
      });
      bytes += response.body.length;
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
      bytes = 0;
    },
  };
}
