// Node KeyObjects for raw Ed25519 public keys, built once per kid and kept in a bounded
// LRU: importing a key costs far more than a verify, and the hot path verifies every request.
import { createPublicKey, type KeyObject } from "node:crypto";

export interface KeyObjectCache {
  /** The KeyObject for `raw` (32 bytes), reusing the cached one when `kid` still maps to the same bytes. */
  get(kid: string, raw: Uint8Array): KeyObject;
}

export function createKeyObjectCache(maxKeys = 10_000): KeyObjectCache {
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1)
    throw new RangeError("maxKeys must be a positive integer");
  const cache = new Map<string, { raw: Uint8Array; key: KeyObject }>();
  return {
    get(kid, raw) {
      const hit = cache.get(kid);
      if (hit && sameBytes(hit.raw, raw)) {
        cache.delete(kid); // re-insert: Map order is the LRU order
        cache.set(kid, hit);
        return hit.key;
      }
      if (raw.length !== 32) throw new TypeError("getKey must return a raw 32-byte Ed25519 public key");
      const key = createPublicKey({
        key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") },
        format: "jwk",
      });
      cache.delete(kid);
      cache.set(kid, { raw: Uint8Array.from(raw), key });
      if (cache.size > maxKeys) cache.delete(cache.keys().next().value!);
      return key;
    },
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
