// Tool tokens held by the client (issue 5): one cached token per (tool, scopes, intent), renewed
// shortly before it expires, with concurrent askers sharing one POST /v1/tokens (single flight).
import type { ToolToken, ToolTokenRequest } from "../api-types.js";

/** Renew this long before expiry at most (a call signed just before expiry must still arrive in time). */
export const DEFAULT_REFRESH_BEFORE_MS = 30_000;

export interface TokenForOptions {
  /** Why the agent wants the token; the policy may require it (e.g. for gmail:send). Part of the cache key. */
  intent?: string;
}

export interface ToolTokenCacheOptions {
  /** Asks the gateway for a token (POST /v1/tokens). */
  mint(request: ToolTokenRequest): Promise<ToolToken>;
  /** Clock in milliseconds; injected so tests control time. */
  now?: () => number;
  /** Renew at expiry minus the lesser of this and half the token's lifetime. Default 30 s. */
  refreshBeforeMs?: number;
  /**
   * Where tokens outlive this process (e.g. a file for a command-line tool). Consulted on a miss
   * before minting; told about every new and every refused token. Times in it are `now()` times.
   */
  store?: ToolTokenStore;
}

/** A cached token as a store keeps it: times on the cache's clock, in milliseconds. */
export interface StoredToolToken {
  token: ToolToken;
  /** Local clock: when to ask for a new one. */
  refreshAt: number;
  /** Local clock: when the gateway stops accepting it. */
  expiresAt: number;
}

/** Persistence for ToolTokenCache. Keys are opaque strings; failures of a store are the caller's. */
export interface ToolTokenStore {
  load(key: string): Promise<StoredToolToken | undefined> | StoredToolToken | undefined;
  save(key: string, entry: StoredToolToken): Promise<void> | void;
  delete(key: string): Promise<void> | void;
}

type Entry = StoredToolToken;

export class ToolTokenCache {
  readonly #mint: ToolTokenCacheOptions["mint"];
  readonly #now: () => number;
  readonly #refreshBeforeMs: number;
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<ToolToken>>();
  readonly #store: ToolTokenStore | undefined;
  /** Keys whose stored token the gateway refused in this process: never loaded again. */
  readonly #refusedStored = new Set<string>();

  constructor(options: ToolTokenCacheOptions) {
    if (typeof options?.mint !== "function") throw new TypeError("options.mint must be a function");
    const refreshBeforeMs = options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
    if (!Number.isFinite(refreshBeforeMs) || refreshBeforeMs < 0) {
      throw new RangeError("options.refreshBeforeMs must be a finite number ≥ 0");
    }
    this.#mint = options.mint;
    this.#now = options.now ?? Date.now;
    this.#refreshBeforeMs = refreshBeforeMs;
    this.#store = options.store;
  }

  /** A token for these scopes of the tool: the cached one while it is fresh, else a new one. */
  get(tool: string, scopes: readonly string[], options: TokenForOptions = {}): Promise<ToolToken> {
    let request: ToolTokenRequest;
    try {
      request = normalize(tool, scopes, options?.intent);
    } catch (error) {
      return Promise.reject(error);
    }
    const key = cacheKey(request);
    const entry = this.#entries.get(key);
    if (entry && this.#now() < entry.refreshAt) return Promise.resolve(entry.token);
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const minting = this.#fetch(key, request).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, minting);
    return minting;
  }

  /**
   * Forgets a token the gateway refused (token_expired, token_revoked …). Only that token: if a newer
   * one replaced it meanwhile, the newer one stays. True when something was dropped.
   */
  invalidate(token: string): boolean {
    for (const [key, entry] of this.#entries) {
      if (entry.token.token === token) {
        this.#refusedStored.add(key);
        void Promise.resolve()
          .then(() => this.#store?.delete(key))
          .catch(() => {});
        return this.#entries.delete(key);
      }
    }
    return false;
  }

  /** Forgets every cached token (e.g. after the agent's key changed). */
  clear(): void {
    this.#entries.clear();
  }

  /** How many tokens are cached (expired ones are pruned whenever a new one arrives). */
  get size(): number {
    return this.#entries.size;
  }

  async #fetch(key: string, request: ToolTokenRequest): Promise<ToolToken> {
    if (this.#store && !this.#refusedStored.has(key)) {
      const stored = await this.#store.load(key);
      if (stored && isStoredToken(stored) && this.#now() < stored.refreshAt) {
        this.#entries.set(key, stored);
        return stored.token;
      }
    }
    const token = await this.#mint(request);
    if (typeof token?.token !== "string" || !Number.isFinite(token.expiresIn) || token.expiresIn <= 0) {
      throw new TypeError("the gateway answered POST /v1/tokens without a token and a positive expiresIn");
    }
    // Timed on the local clock from expiresIn, so a skewed local clock cannot make a token look fresh.
    const received = this.#now();
    const lifetimeMs = token.expiresIn * 1000;
    const expiresAt = received + lifetimeMs;
    const refreshAt = expiresAt - Math.min(this.#refreshBeforeMs, lifetimeMs / 2);
    this.#prune(received);
    const entry = { token, refreshAt, expiresAt };
    this.#entries.set(key, entry);
    this.#refusedStored.delete(key);
    await this.#store?.save(key, entry);
    return token;
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}

/** Scopes deduplicated and sorted: ["b","a","a"] and ["a","b"] are the same token. */
function normalize(tool: string, scopes: readonly string[], intent: string | undefined): ToolTokenRequest {
  if (typeof tool !== "string" || tool === "") throw new TypeError("tool must be a non-empty string");
  if (
    !Array.isArray(scopes) ||
    scopes.length === 0 ||
    scopes.some((s) => typeof s !== "string" || s === "")
  ) {
    throw new TypeError('scopes must be a non-empty array of scope names, e.g. ["openai:chat"]');
  }
  if (intent !== undefined && typeof intent !== "string") throw new TypeError("intent must be a string");
  const sorted = [...new Set(scopes)].sort();
  return { tool, scopes: sorted, ...(intent === undefined ? {} : { intent }) };
}

function isStoredToken(value: StoredToolToken): boolean {
  return (
    typeof value?.token?.token === "string" &&
    Number.isFinite(value.refreshAt) &&
    Number.isFinite(value.expiresAt)
  );
}

function cacheKey(request: ToolTokenRequest): string {
  return JSON.stringify([request.tool, request.scopes, request.intent ?? null]);
}
