// Ed25519 keys as the gateway knows them: raw 32-byte public keys, OKP JWKs and
// RFC 7638 thumbprints (the `kid`/`keyid` of every key). Portable across runtimes.
import * as ed from "@noble/ed25519";
import { fromBase64Url, sha256, toBase64Url, utf8 } from "./encoding.js";

export interface PublicJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  kid?: string;
}

export interface PrivateJwk extends PublicJwk {
  d: string;
}

export interface AgentKeyPair {
  /** 32-byte Ed25519 seed. Keep it secret. */
  secretKey: Uint8Array;
  /** 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** RFC 7638 thumbprint of the public key: the `keyid` of every signature. */
  kid: string;
}

/** Why a public key was refused; stable so the gateway can map it to a 400 detail. */
export class InvalidPublicKeyError extends Error {
  override readonly name = "InvalidPublicKeyError";
}

export async function generateKeyPair(): Promise<AgentKeyPair> {
  const { secretKey, publicKey } = await ed.keygenAsync();
  return { secretKey, publicKey, kid: await keyId(publicKey) };
}

export async function keyPairFromSecretKey(secretKey: Uint8Array): Promise<AgentKeyPair> {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
    throw new RangeError("secretKey must be a 32-byte Ed25519 seed");
  }
  const publicKey = await ed.getPublicKeyAsync(secretKey);
  return { secretKey, publicKey, kid: await keyId(publicKey) };
}

/** RFC 7638 §3 thumbprint input for an OKP key: required members only, in lexicographic order. */
export function thumbprintInput(publicKey: Uint8Array): string {
  return `{"crv":"Ed25519","kty":"OKP","x":"${toBase64Url(publicKey)}"}`;
}

/** RFC 7638 SHA-256 JWK thumbprint, base64url without padding. */
export async function keyId(publicKey: Uint8Array): Promise<string> {
  return toBase64Url(await sha256(utf8(thumbprintInput(publicKey))));
}

export function publicKeyToJwk(publicKey: Uint8Array): PublicJwk {
  return { kty: "OKP", crv: "Ed25519", x: toBase64Url(publicKey) };
}

export function keyPairToJwk(pair: AgentKeyPair): PrivateJwk {
  return { kty: "OKP", crv: "Ed25519", x: toBase64Url(pair.publicKey), d: toBase64Url(pair.secretKey) };
}

export async function keyPairFromJwk(jwk: unknown): Promise<AgentKeyPair> {
  if (!isRecord(jwk) || jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.d !== "string") {
    throw new InvalidPublicKeyError("expected a private OKP JWK with crv Ed25519 and d");
  }
  const seed = fromBase64Url(jwk.d);
  if (seed?.length !== 32) throw new InvalidPublicKeyError("JWK d must be 32 bytes of base64url");
  const pair = await keyPairFromSecretKey(seed);
  if (typeof jwk.x === "string" && jwk.x !== toBase64Url(pair.publicKey)) {
    throw new InvalidPublicKeyError("JWK x does not belong to d");
  }
  return pair;
}

/**
 * Accepts what the contract accepts for a public key: base64url of the raw 32 bytes,
 * or an OKP JWK (object or JSON text). Untrusted input: every refusal names its reason.
 */
export function parsePublicKey(input: unknown): Uint8Array {
  let bytes: Uint8Array | null;
  if (typeof input === "string" && input.trimStart().startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new InvalidPublicKeyError("publicKey looks like JSON but does not parse");
    }
    return parsePublicKey(parsed);
  }
  if (typeof input === "string") {
    bytes = fromBase64Url(input);
    if (!bytes) throw new InvalidPublicKeyError("publicKey is not base64url (RFC 4648 §5, unpadded)");
  } else if (isRecord(input)) {
    if (input.kty !== "OKP") throw new InvalidPublicKeyError('JWK kty must be "OKP"');
    if (input.crv !== "Ed25519") throw new InvalidPublicKeyError('JWK crv must be "Ed25519"');
    if ("d" in input)
      throw new InvalidPublicKeyError("JWK holds a private key (d); send only the public key");
    if (typeof input.x !== "string") throw new InvalidPublicKeyError("JWK x is missing");
    bytes = fromBase64Url(input.x);
    if (!bytes) throw new InvalidPublicKeyError("JWK x is not base64url");
  } else {
    throw new InvalidPublicKeyError("publicKey must be a base64url string or an OKP JWK");
  }
  if (bytes.length !== 32) {
    throw new InvalidPublicKeyError(`an Ed25519 public key is 32 bytes, got ${bytes.length}`);
  }
  try {
    ed.Point.fromBytes(bytes);
  } catch {
    throw new InvalidPublicKeyError("publicKey is not a point on the Ed25519 curve");
  }
  return bytes;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
