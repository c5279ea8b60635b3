// The on-disk form of the gateway's token signing keys: one JSON file per key in
// `<dataDir>/signing-keys/`, readable only by the gateway's user (folder 0700, files
// 0600). Writes are atomic (temp file, fsync, rename) so a crash never leaves a
// half-written key behind. Error messages name files, never their contents.

import { randomUUID } from "node:crypto";
import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { z } from "zod";

const KEY_FILE_SUFFIX = ".json";
const TEMP_MARKER = ".tmp-";
const KID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const privateJwkSchema = z.looseObject({
  kty: z.literal("OKP"),
  crv: z.literal("Ed25519"),
  x: z.string().min(1),
  d: z.string().min(1),
});

const keyFileSchema = z.object({
  kid: z.string().regex(KID_PATTERN),
  privateJwk: privateJwkSchema,
  createdAt: z.iso.datetime({ offset: true }),
  retiredAt: z.iso.datetime({ offset: true }).nullable(),
  notAfter: z.iso.datetime({ offset: true }).nullable(),
});

/** One key file. Times are RFC 3339; `notAfter` is when a retired key may be forgotten. */
export type SigningKeyFile = z.infer<typeof keyFileSchema>;

/** Creates (or tightens) the key folder to 0700 and returns its path. */
export function ensureKeyFolder(dataDir: string): string {
  const folder = join(dataDir, "signing-keys");
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask and ignored for an existing folder.
  chmodSync(folder, 0o700);
  return folder;
}

/**
 * Reads every key file in the folder. Left-over temp files (a crash mid-write) are removed;
 * a file that does not parse is fatal, because silently skipping it could drop the current key.
 */
export function readKeyFiles(folder: string): SigningKeyFile[] {
  const keys: SigningKeyFile[] = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (name.includes(TEMP_MARKER)) {
      rmSync(path, { force: true });
      continue;
    }
    if (!name.endsWith(KEY_FILE_SUFFIX)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, "utf8"));
    } catch {
      throw new Error(`signing key file ${path} is not valid JSON`);
    }
    const result = keyFileSchema.safeParse(parsed);
    if (!result.success) {
      const fields = result.error.issues.map((issue) => issue.path.join(".") || "(root)").join(", ");
      throw new Error(`signing key file ${path} is malformed (check: ${fields})`);
    }
    if (name !== result.data.kid + KEY_FILE_SUFFIX) {
      throw new Error(`signing key file ${path} holds kid ${result.data.kid}; its name must match`);
    }
    chmodSync(path, 0o600);
    keys.push(result.data);
  }
  return keys;
}

/** Writes (or replaces) one key file atomically with mode 0600. */
export function writeKeyFile(folder: string, key: SigningKeyFile): void {
  if (!KID_PATTERN.test(key.kid)) throw new RangeError("kid must be a SHA-256 JWK thumbprint");
  const target = join(folder, key.kid + KEY_FILE_SUFFIX);
  const temp = `${target}${TEMP_MARKER}${randomUUID()}`;
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(key, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  syncFolder(folder);
}

export function deleteKeyFile(folder: string, kid: string): void {
  if (!KID_PATTERN.test(kid)) throw new RangeError("kid must be a SHA-256 JWK thumbprint");
  rmSync(join(folder, kid + KEY_FILE_SUFFIX), { force: true });
  syncFolder(folder);
}

/** Makes a rename or unlink durable; best effort, as some platforms cannot fsync a folder. */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, "r");
    fsyncSync(fd);
  } catch {
    // Not supported here (e.g. Windows); the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
