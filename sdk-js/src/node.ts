// Node-only key files (subpath @agentgw/sdk/node): PKCS#8 PEM, as openssl and the RFC 9421
// test keys use it, and JSON JWK. Private key files are written owner-read-only.
import { createPrivateKey, createPublicKey } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { toBase64Url } from "./encoding.js";
import { type AgentKeyPair, keyPairFromJwk, keyPairToJwk, type PrivateJwk } from "./keys.js";

/** The key pair as PKCS#8 PEM (a "PRIVATE KEY" block). */
export function keyPairToPem(pair: AgentKeyPair): string {
  return createPrivateKey({ key: { ...keyPairToJwk(pair) }, format: "jwk" })
    .export({ type: "pkcs8", format: "pem" })
    .toString();
}

/** SPKI PEM ("-----BEGIN PUBLIC KEY-----") of a raw public key. */
export function publicKeyToPem(publicKey: Uint8Array): string {
  const jwk = { kty: "OKP", crv: "Ed25519", x: toBase64Url(publicKey) };
  return createPublicKey({ key: jwk, format: "jwk" }).export({ type: "spki", format: "pem" }).toString();
}

/** Reads an unencrypted PKCS#8 PEM Ed25519 private key. */
export async function keyPairFromPem(pem: string): Promise<AgentKeyPair> {
  let jwk: unknown;
  try {
    const key = createPrivateKey({ key: pem, format: "pem" });
    if (key.asymmetricKeyType !== "ed25519") throw new TypeError("not an Ed25519 key");
    jwk = key.export({ format: "jwk" });
  } catch (error) {
    throw new TypeError("expected an unencrypted PKCS#8 PEM Ed25519 private key", { cause: error });
  }
  return keyPairFromJwk(jwk);
}

export async function readKeyPairPem(path: string): Promise<AgentKeyPair> {
  return keyPairFromPem(await readFile(path, "utf8"));
}

export async function writeKeyPairPem(path: string, pair: AgentKeyPair): Promise<void> {
  await writeFile(path, keyPairToPem(pair), { mode: 0o600 });
}

/** Reads a private OKP JWK from a JSON file. */
export async function readKeyPairJwk(path: string): Promise<AgentKeyPair> {
  return keyPairFromJwk(JSON.parse(await readFile(path, "utf8")));
}

export async function writeKeyPairJwk(path: string, pair: AgentKeyPair): Promise<void> {
  const jwk: PrivateJwk = { ...keyPairToJwk(pair), kid: pair.kid };
  await writeFile(path, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600 });
}
