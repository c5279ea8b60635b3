// The key-encryption key that seals upstream credentials at rest. Configured
// through AGENTGW_MASTER_KEY (base64url, 32 bytes); in dev mode, when none is
// configured, one is generated once into <dataDir>/master.key (mode 0600) and
// reused on every start. Outside dev mode nothing is generated: a key on the
// same disk as the database protects little, so production must bring its own.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const MASTER_KEY_FILE = "master.key";

export interface MasterKey {
  key: Buffer;
  /** Where it came from, for the start-up log (never the key). */
  source: "AGENTGW_MASTER_KEY" | "generated" | "data dir";
  file?: string;
}

/** A master key's text form: 32 bytes in base64url without padding (the last character carries 2 spare zero bits). */
export const MASTER_KEY_PATTERN = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** Decodes a base64url 32-byte key; the error names where it came from, never the value. */
export function parseMasterKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  if (!MASTER_KEY_PATTERN.test(trimmed))
    throw new Error(`${where} must hold 32 bytes in base64url (43 characters)`);
  return Buffer.from(trimmed, "base64url");
}

/**
 * The configured key, else (dev mode) the data dir's key file, created when absent. Returns null outside dev
 * mode without a configured key: the caller decides whether credentials are in use.
 */
export function loadMasterKey(options: {
  configured: string | undefined;
  dataDir: string;
  dev: boolean;
}): MasterKey | null {
  if (options.configured)
    return { key: parseMasterKey(options.configured, "AGENTGW_MASTER_KEY"), source: "AGENTGW_MASTER_KEY" };
  if (!options.dev) return null;
  const file = join(options.dataDir, MASTER_KEY_FILE);
  try {
    const key = parseMasterKey(readFileSync(file, "utf8"), file);
    // Tighten a key file someone loosened; it guards every stored secret.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return { key, source: "data dir", file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      throw new Error(`cannot read the master key file ${file}: ${(error as Error).message}`);
  }
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  // "wx": never overwrite a key another process wrote meanwhile (it would orphan its secrets).
  try {
    writeFileSync(file, `${key.toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return loadMasterKey(options);
    throw error;
  }
  return { key, source: "generated", file };
}
