// The gateway's own Ed25519 keys that sign tool tokens (EdDSA JWTs, CONTRACT.md §4).
//
// Four sources, one factory:
// - `shared` (a shared store, e.g. PostgreSQL): keys live in the store's signing_keys
//   table, the private half sealed under the master key. Every instance reads the same
//   keys; `rotate()` on one is picked up by the others through `refresh()` (called on a
//   cache-invalidation event, periodically, and when a token names a kid not yet known).
// - `configuredKeys` (deployment config, e.g. from env): private OKP JWKs. The first signs,
//   the rest are published for verification only (tokens of a key the operator rotated
//   out). Rotation happens in the config, so `rotate()` is refused.
// - `dataDir`: keys live in `<dataDir>/signing-keys/`, one file each (see signing-key-files.ts),
//   generated on first start, read back after a restart, rotated by `rotate()`.
// - neither: an in-memory ring (tests, throwaway runs); tokens die with the process.
//
// A retired key stays published until `retiredAt + maxTokenTtl + skew`: by then every
// token it signed has expired even for a verifier with a slow clock. Then it is forgotten
// and its file deleted. Private keys are held as non-extractable CryptoKeys and never
// leave this module except into their own file.
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from "jose";
import type { SecretBox } from "../credentials/secret-box.js";
import { GatewayError } from "../errors.js";
import { type SigningKeyStore, StoreConflictError, type StoredSigningKey } from "../store/types.js";
import {
  deleteKeyFile,
  ensureKeyFolder,
  readKeyFiles,
  type SigningKeyFile,
  writeKeyFile,
} from "./signing-key-files.js";

export const SIGNING_ALG = "EdDSA";

/** A public key as served in the JWKS. */
export interface PublicSigningJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  kid: string;
  alg: typeof SIGNING_ALG;
  use: "sig";
}

export interface Jwks {
  keys: PublicSigningJwk[];
}

export interface SigningKey {
  /** RFC 7638 thumbprint of the public key; the `kid` header of the tokens it signs. */
  readonly kid: string;
  /** Non-extractable; for `SignJWT.sign`. */
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: PublicSigningJwk;
  readonly createdAt: Date;
  /** When a newer key took over; null for the current key and for configured keys. */
  readonly retiredAt: Date | null;
  /** When the key leaves the JWKS; null while it is current (or configured). */
  readonly notAfter: Date | null;
}

export interface SigningKeyRing {
  /** Where the keys come from; `rotate()` works for "files" and "memory". */
  readonly source: "config" | "files" | "memory" | "store";
  /** The key that signs new tokens. */
  current(): SigningKey;
  /** Every key a verifier may still need: the current one and retired ones within their window. */
  jwks(): Jwks;
  /** The public key for a token's `kid`, or null when unknown or no longer published. */
  keyFor(kid: string): CryptoKey | null;
  /** Makes a new current key and retires the old one. */
  rotate(): Promise<{ kid: string }>;
  /** Forgets retired keys whose window has passed (deleting their files); returns their kids. */
  prune(): string[];
  /**
   * Re-reads the keys from the shared store (another instance may have rotated). A no-op
   * for the other sources. Unless `force`d (an instance announced a rotation), a read
   * less than a second after the last one is skipped, so unknown kids cannot flood the store.
   */
  refresh(options?: { force?: boolean }): Promise<void>;
}

export interface SigningKeyRingOptions {
  /** Folder of the embedded store; keys go to `<dataDir>/signing-keys/`. */
  dataDir?: string;
  /** Private OKP Ed25519 JWKs (objects or JSON text); when given, they are the only keys. */
  configuredKeys?: ReadonlyArray<string | Record<string, unknown>>;
  now: () => Date;
  /** The longest lifetime any token can have (configured maximum). */
  maxTokenTtlSeconds: number;
  /** Clock skew verifiers allow; keeps a retired key published that much longer. Default 30. */
  skewSeconds?: number;
  /** A store shared by every gateway instance, and the box (master key) that seals the private keys in it. */
  shared?: { store: SigningKeyStore; box: Pick<SecretBox, "seal" | "open"> };
  /** Store failures in background work (pruning) are reported here, never thrown. */
  onError?: (error: unknown) => void;
  /**
   * Keys published at once (current + retired); a rotation that would exceed it is refused
   * (rate_limited) until the oldest retired key leaves the JWKS. Default unbounded.
   */
  maxPublishedKeys?: number;
}

interface KeyEntry {
  key: SigningKey;
  /** Kept only to rewrite the key's own file when it is retired. */
  privateJwk: JWK;
}

export async function createSigningKeyRing(options: SigningKeyRingOptions): Promise<SigningKeyRing> {
  const { dataDir, configuredKeys, now, maxTokenTtlSeconds } = options;
  const skewSeconds = options.skewSeconds ?? 30;
  const maxPublishedKeys = options.maxPublishedKeys ?? Number.POSITIVE_INFINITY;
  if (!(maxPublishedKeys >= 2)) throw new RangeError("maxPublishedKeys must be at least 2");
  if (typeof now !== "function") throw new TypeError("now must be a function returning a Date");
  if (!Number.isInteger(maxTokenTtlSeconds) || maxTokenTtlSeconds < 1) {
    throw new RangeError("maxTokenTtlSeconds must be a positive integer");
  }
  if (!Number.isInteger(skewSeconds) || skewSeconds < 0) {
    throw new RangeError("skewSeconds must be a non-negative integer");
  }
  if (dataDir !== undefined && (typeof dataDir !== "string" || dataDir === "")) {
    throw new TypeError("dataDir must be a non-empty path");
  }
  if (configuredKeys !== undefined && (!Array.isArray(configuredKeys) || configuredKeys.length === 0)) {
    throw new TypeError("configuredKeys must be a non-empty array of private JWKs");
  }

  const retentionMs = (maxTokenTtlSeconds + skewSeconds) * 1000;
  const entries = new Map<string, KeyEntry>();
  let currentKid: string;
  let folder: string | null = null;
  let source: SigningKeyRing["source"];

  const shared = configuredKeys ? undefined : options.shared;
  const onError = options.onError ?? (() => {});
  let lastRefresh: Promise<void> | null = null;
  let lastRefreshAt = 0;

  /** Rebuilds the ring from the shared store; its one unretired key signs. */
  async function loadShared(store: SigningKeyStore, box: Pick<SecretBox, "seal" | "open">): Promise<void> {
    let rows = await store.list();
    if (!rows.some((row) => row.retiredAt === null)) {
      // First start on an empty store. Instances starting together each offer a key; the
      // store keeps exactly one (the others' inserts do nothing), and everyone reads it back.
      await store.insertFirst(toStored(await generateEntry(now()), box));
      rows = await store.list();
    }
    const current = rows.find((row) => row.retiredAt === null);
    if (!current) throw new Error("the shared store holds no current signing key");
    const loaded = new Map<string, KeyEntry>();
    for (const row of rows) loaded.set(row.kid, await fromStored(row, box));
    entries.clear();
    for (const [kid, entry] of loaded) entries.set(kid, entry);
    currentKid = current.kid;
  }

  if (shared) {
    source = "store";
    currentKid = "";
    await loadShared(shared.store, shared.box);
  } else if (configuredKeys) {
    source = "config";
    const createdAt = now();
    for (const [index, configured] of configuredKeys.entries()) {
      const entry = await loadConfiguredKey(configured, index, createdAt);
      if (entries.has(entry.key.kid)) throw new Error(`configured signing key #${index} is listed twice`);
      entries.set(entry.key.kid, entry);
    }
    currentKid = [...entries.keys()][0] as string;
  } else {
    source = dataDir === undefined ? "memory" : "files";
    if (dataDir !== undefined) {
      folder = ensureKeyFolder(dataDir);
      for (const file of readKeyFiles(folder)) {
        const entry = await loadKeyFile(file, folder);
        entries.set(entry.key.kid, entry);
      }
    }
    const active = [...entries.values()]
      .filter((entry) => entry.key.retiredAt === null)
      .sort((a, b) => b.key.createdAt.getTime() - a.key.createdAt.getTime());
    const newest = active[0];
    if (newest) {
      currentKid = newest.key.kid;
      // More than one unretired key means a rotation was cut short between writing the
      // new key and retiring the old; finish it now.
      for (const stale of active.slice(1)) retire(stale);
    } else {
      currentKid = await addGeneratedKey();
    }
  }

  function persist(entry: KeyEntry): void {
    if (!folder) return;
    writeKeyFile(folder, toFile(entry));
  }

  function retire(entry: KeyEntry): void {
    const retiredAt = now();
    const notAfter = new Date(retiredAt.getTime() + retentionMs);
    const updated: KeyEntry = { ...entry, key: Object.freeze({ ...entry.key, retiredAt, notAfter }) };
    persist(updated);
    entries.set(entry.key.kid, updated);
  }

  async function addGeneratedKey(): Promise<string> {
    const entry = await generateEntry(now());
    persist(entry);
    entries.set(entry.key.kid, entry);
    return entry.key.kid;
  }

  function prune(): string[] {
    const at = now().getTime();
    if (shared) {
      void shared.store.pruneRetired(new Date(at).toISOString()).catch(onError);
    }
    const dropped: string[] = [];
    for (const [kid, entry] of entries) {
      if (kid === currentKid || entry.key.notAfter === null || entry.key.notAfter.getTime() > at) continue;
      if (folder) deleteKeyFile(folder, kid);
      entries.delete(kid);
      dropped.push(kid);
    }
    return dropped;
  }

  /**
   * Every rotation keeps the old key published for a token lifetime, so unthrottled rotations
   * (a looping script, a careless admin) would grow the JWKS every verifier downloads.
   */
  function refuseWhenFull(): void {
    prune();
    if (entries.size < maxPublishedKeys) return;
    const at = now().getTime();
    const nextFree = Math.min(
      ...[...entries.values()].map((entry) => entry.key.notAfter?.getTime() ?? Number.POSITIVE_INFINITY),
    );
    const retryAfter = Math.max(1, Math.ceil((nextFree - at) / 1000));
    throw new GatewayError(
      "rate_limited",
      `${entries.size} signing keys are published already; rotate again once the oldest expires`,
      { headers: { "Retry-After": String(Number.isFinite(retryAfter) ? retryAfter : 60) } },
    );
  }

  function currentEntry(): KeyEntry {
    const entry = entries.get(currentKid);
    if (!entry) throw new Error("signing key ring lost its current key");
    return entry;
  }

  return {
    source,
    current: () => currentEntry().key,
    jwks() {
      prune();
      // Current key first: verifiers that try keys in order find it at once.
      const ordered = [
        currentEntry(),
        ...[...entries.values()].filter((entry) => entry.key.kid !== currentKid),
      ];
      return { keys: ordered.map((entry) => ({ ...entry.key.publicJwk })) };
    },
    keyFor(kid) {
      prune();
      return entries.get(kid)?.key.publicKey ?? null;
    },
    async rotate() {
      if (source === "config") {
        throw new GatewayError(
          "conflict",
          "signing keys come from deployment configuration; rotate them there",
        );
      }
      refuseWhenFull();
      const fresh = await generateEntry(now());
      // Again after the await: concurrent rotations all passed the first check.
      refuseWhenFull();
      if (shared) {
        // One transaction retires the current key and adds the new one; a rotation racing
        // on another instance loses with a conflict instead of leaving two current keys.
        const retiredAt = now();
        try {
          await shared.store.rotate(
            toStored(fresh, shared.box),
            retiredAt.toISOString(),
            new Date(retiredAt.getTime() + retentionMs).toISOString(),
          );
        } catch (error) {
          if (error instanceof StoreConflictError) {
            throw new GatewayError(
              "conflict",
              "another signing key rotation happened at the same time; retry",
            );
          }
          throw error;
        }
        await loadShared(shared.store, shared.box);
        lastRefreshAt = Date.now();
        return { kid: currentKid };
      }
      // From here on everything is synchronous, so concurrent rotations cannot interleave:
      // each retires whichever key is current when its new key is ready. The new key is
      // written before the old is retired; a crash in between leaves two unretired keys,
      // which the next start resolves (newest signs).
      persist(fresh);
      entries.set(fresh.key.kid, fresh);
      retire(currentEntry());
      currentKid = fresh.key.kid;
      prune();
      return { kid: fresh.key.kid };
    },
    prune,
    async refresh({ force = false } = {}) {
      if (!shared) return;
      if (lastRefresh) await lastRefresh.catch(() => {});
      if (!force && Date.now() - lastRefreshAt < 1000) return;
      lastRefresh = loadShared(shared.store, shared.box).finally(() => {
        lastRefresh = null;
        lastRefreshAt = Date.now();
      });
      return lastRefresh;
    },
  };
}

/** What a sealed private key is bound to: its kid, so a row copied onto another kid does not open. */
const sealedFor = (kid: string) => `signing-key\u0000${kid}`;

function toStored(entry: KeyEntry, box: Pick<SecretBox, "seal">): StoredSigningKey {
  const file = toFile(entry);
  return {
    kid: file.kid,
    sealedPrivateKey: box.seal(JSON.stringify(file.privateJwk), sealedFor(file.kid)),
    createdAt: file.createdAt,
    retiredAt: file.retiredAt,
    notAfter: file.notAfter,
  };
}

async function fromStored(row: StoredSigningKey, box: Pick<SecretBox, "open">): Promise<KeyEntry> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(box.open(row.sealedPrivateKey, sealedFor(row.kid))) as JWK;
  } catch (error) {
    throw new Error(`signing key ${row.kid} in the store: ${describe(error)}`);
  }
  const entry = await buildEntry(jwk, {
    createdAt: new Date(row.createdAt),
    retiredAt: row.retiredAt === null ? null : new Date(row.retiredAt),
    notAfter: row.notAfter === null ? null : new Date(row.notAfter),
  });
  if (entry.key.kid !== row.kid)
    throw new Error(`signing key ${row.kid} in the store: kid is not its thumbprint`);
  return entry;
}

async function generateEntry(createdAt: Date): Promise<KeyEntry> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { crv: "Ed25519", extractable: true });
  const privateJwk = await exportJWK(privateKey);
  return buildEntry(privateJwk, { createdAt, retiredAt: null, notAfter: null });
}

async function loadKeyFile(file: SigningKeyFile, folder: string): Promise<KeyEntry> {
  const times = {
    createdAt: new Date(file.createdAt),
    retiredAt: file.retiredAt === null ? null : new Date(file.retiredAt),
    notAfter: file.notAfter === null ? null : new Date(file.notAfter),
  };
  let entry: KeyEntry;
  try {
    entry = await buildEntry(file.privateJwk, times);
  } catch (error) {
    throw new Error(`signing key file ${file.kid}.json in ${folder}: ${describe(error)}`);
  }
  if (entry.key.kid !== file.kid) {
    throw new Error(`signing key file ${file.kid}.json in ${folder}: kid is not the thumbprint of its key`);
  }
  return entry;
}

async function loadConfiguredKey(
  configured: string | Record<string, unknown>,
  index: number,
  createdAt: Date,
): Promise<KeyEntry> {
  const where = `configured signing key #${index}`;
  let jwk: unknown = configured;
  if (typeof configured === "string") {
    try {
      jwk = JSON.parse(configured);
    } catch {
      throw new Error(`${where} is not JSON (expected a private OKP JWK)`);
    }
  }
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
    throw new Error(`${where} must be a private OKP JWK object`);
  }
  let entry: KeyEntry;
  try {
    entry = await buildEntry(jwk as JWK, { createdAt, retiredAt: null, notAfter: null });
  } catch (error) {
    throw new Error(`${where}: ${describe(error)}`);
  }
  const statedKid = (jwk as { kid?: unknown }).kid;
  if (statedKid !== undefined && statedKid !== entry.key.kid) {
    throw new Error(`${where}: its kid is not the RFC 7638 thumbprint of the key (${entry.key.kid})`);
  }
  return entry;
}

/** Imports a private JWK, proves `x` belongs to `d`, and derives the kid and public JWK. */
async function buildEntry(
  jwk: JWK,
  times: { createdAt: Date; retiredAt: Date | null; notAfter: Date | null },
): Promise<KeyEntry> {
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519")
    throw new Error('key must have kty "OKP" and crv "Ed25519"');
  if (typeof jwk.d !== "string" || typeof jwk.x !== "string") throw new Error("key must hold both d and x");
  const privateJwk: JWK = { kty: "OKP", crv: "Ed25519", x: jwk.x, d: jwk.d };
  const publicMembers: JWK = { kty: "OKP", crv: "Ed25519", x: jwk.x };
  let privateKey: unknown;
  let publicKey: unknown;
  try {
    privateKey = await importJWK({ ...privateJwk, ext: false }, SIGNING_ALG);
    publicKey = await importJWK(publicMembers, SIGNING_ALG);
  } catch {
    // Node's WebCrypto already refuses an `x` that does not belong to `d` here.
    throw new Error(KEY_PAIR_MISMATCH);
  }
  if (!isCryptoKey(privateKey) || !isCryptoKey(publicKey))
    throw new Error("key did not import as a CryptoKey");
  await proveKeyPair(privateKey, publicKey);
  const kid = await calculateJwkThumbprint(publicMembers, "sha256");
  const publicJwk: PublicSigningJwk = {
    kty: "OKP",
    crv: "Ed25519",
    x: jwk.x,
    kid,
    alg: SIGNING_ALG,
    use: "sig",
  };
  return { privateJwk, key: Object.freeze({ kid, privateKey, publicKey, publicJwk, ...times }) };
}

const KEY_PAIR_MISMATCH = "d and x are not an Ed25519 key pair (x must be the public key of d)";

/** Signs and verifies a probe (for runtimes that import without checking), so a JWK whose `x` does not match its `d` is refused at start. */
async function proveKeyPair(privateKey: CryptoKey, publicKey: CryptoKey): Promise<void> {
  const probe = await new SignJWT({ probe: true } satisfies JWTPayload)
    .setProtectedHeader({ alg: SIGNING_ALG })
    .sign(privateKey);
  try {
    await jwtVerify(probe, publicKey, { algorithms: [SIGNING_ALG] });
  } catch {
    throw new Error(KEY_PAIR_MISMATCH);
  }
}

function toFile(entry: KeyEntry): SigningKeyFile {
  const { kid, createdAt, retiredAt, notAfter } = entry.key;
  return {
    kid,
    privateJwk: { kty: "OKP", crv: "Ed25519", x: String(entry.privateJwk.x), d: String(entry.privateJwk.d) },
    createdAt: createdAt.toISOString(),
    retiredAt: retiredAt?.toISOString() ?? null,
    notAfter: notAfter?.toISOString() ?? null,
  };
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return value instanceof globalThis.CryptoKey;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : "invalid key";
}
