// Envelope encryption for credential secrets (AES-256-GCM, NIST SP 800-38D):
// each sealed value has its own random data key, itself sealed under the
// master key-encryption key (KEK). The associated data binds a ciphertext to its
// credential's name and tool, so a row copied onto another credential fails to open.
//
// Sealed text: "v1.<kekId>.<iv>.<wrapped data key + tag>.<iv>.<ciphertext + tag>", base64url parts.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export class SecretBoxError extends Error {
  override readonly name = "SecretBoxError";
}

export interface SecretBox {
  /** Short id of the master key (not secret): tells which key sealed a value. */
  readonly kekId: string;
  seal(plaintext: string, associatedData: string): string;
  /** Throws SecretBoxError when the value was sealed under another key or altered. */
  open(sealed: string, associatedData: string): string;
}

/** The first 8 base64url characters of SHA-256 over a label and the key: identifies it, reveals nothing usable. */
export function kekIdOf(kek: Buffer): string {
  return createHash("sha256").update("agentgw-kek-id\0").update(kek).digest("base64url").slice(0, 8);
}

function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; data: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const data = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv, data };
}

function decrypt(key: Buffer, iv: Buffer, data: Buffer, aad: Buffer): Buffer {
  if (iv.length !== IV_BYTES || data.length < TAG_BYTES) throw new SecretBoxError("malformed sealed value");
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SecretBoxError("the sealed value does not open under this master key (altered or another key)");
  }
}

export function createSecretBox(kek: Buffer): SecretBox {
  if (kek.length !== KEY_BYTES) throw new RangeError(`the master key must be ${KEY_BYTES} bytes`);
  const key = Buffer.from(kek); // our own copy: callers may wipe theirs
  const kekId = kekIdOf(key);
  const aadOf = (associatedData: string) => Buffer.from(`agentgw-credential-v1\0${associatedData}`, "utf8");

  return {
    kekId,
    seal(plaintext, associatedData) {
      const aad = aadOf(associatedData);
      const dataKey = randomBytes(KEY_BYTES);
      try {
        const wrapped = encrypt(key, dataKey, aad);
        const sealed = encrypt(dataKey, Buffer.from(plaintext, "utf8"), aad);
        return ["v1", kekId, wrapped.iv, wrapped.data, sealed.iv, sealed.data]
          .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
          .join(".");
      } finally {
        dataKey.fill(0);
      }
    },
    open(value, associatedData) {
      const parts = value.split(".");
      if (parts.length !== 6 || parts[0] !== "v1") throw new SecretBoxError("unknown sealed value format");
      if (parts[1] !== kekId)
        throw new SecretBoxError(`sealed under another master key (id ${parts[1]}, this key is ${kekId})`);
      const [wrapIv, wrapped, iv, data] = parts.slice(2).map((p) => Buffer.from(p, "base64url")) as [
        Buffer,
        Buffer,
        Buffer,
        Buffer,
      ];
      const aad = aadOf(associatedData);
      const dataKey = decrypt(key, wrapIv, wrapped, aad);
      try {
        return decrypt(dataKey, iv, data, aad).toString("utf8");
      } finally {
        dataKey.fill(0);
      }
    },
  };
}
