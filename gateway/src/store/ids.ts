import { randomBytes, randomUUID } from "node:crypto";

// Crockford base32: ids sort by creation time, so cursor pagination can page by id.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A ULID-shaped id (48-bit ms time + 80 random bits) with a type prefix, e.g. `agt_01J…`. */
export function newId(prefix: string, nowMs: number = Date.now()): string {
  let time = "";
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const random = randomBytes(10);
  let bits = 0;
  let value = 0;
  let rand = "";
  for (const byte of random) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      rand += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return `${prefix}_${time}${rand}`;
}

/**
 * A UUIDv7 (RFC 9562 §5.7): 48-bit ms time, then random bits. Still a UUID, but time-ordered, so an index
 * on it grows at its right edge: a batch of inserts dirties one index page instead of one page per id.
 */
export function newUuidV7(nowMs: number = Date.now()): string {
  const time = nowMs.toString(16).padStart(12, "0");
  // randomUUID is a v4 "xxxxxxxx-xxxx-4xxx-yxxx-…": keep its random bits and variant after the version digit.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}

/** Opaque cursors: base64url so callers do not build them by hand. */
export function encodeCursor(value: string): string {
  return Buffer.from(value, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): string | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return null;
  return Buffer.from(cursor, "base64url").toString("utf8");
}
