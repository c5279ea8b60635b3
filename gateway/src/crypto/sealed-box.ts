// Secrets at rest: AES-256-GCM under the master key (AGENTGW_MASTER_KEY). The envelope is
// text, `v1.<iv>.<ciphertext>.<tag>` in base64url, and binds an "associated" label (e.g.
// the signing key's kid) so a sealed value copied onto another row does not open there.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = "v1";

/** Decodes AGENTGW_MASTER_KEY (base64url of 32 bytes). Throws RangeError otherwise. */
export function parseMasterKey(text: string): Buffer {
  const key = Buffer.from(text, "base64url");
  if (key.length !== 32 || key.toString("base64url") !== text) {
    throw new RangeError("the master key must be 32 bytes in base64url");
  }
  return key;
}

export function seal(masterKey: Uint8Array, plaintext: string, associated: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", masterKey, iv);
  cipher.setAAD(Buffer.from(associated, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv, body, cipher.getAuthTag()]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}

/** The sealed text, or an Error (never the key or the plaintext) when the envelope does not open. */
export function unseal(masterKey: Uint8Array, sealed: string, associated: string): string {
  const [version, iv, body, tag, ...rest] = sealed.split(".");
  if (version !== VERSION || !iv || body === undefined || !tag || rest.length > 0) {
    throw new Error("not a sealed value of a known version");
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", masterKey, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(associated, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString(
      "utf8",
    );
  } catch {
    throw new Error("the sealed value does not open under this master key (wrong key or tampered)");
  }
}
