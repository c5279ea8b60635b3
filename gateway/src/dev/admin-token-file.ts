// Dev mode's admin token, kept in the data dir (mode 0600) so it survives restarts:
// a developer's curl commands, the CLI and the console keep working across `npm start`s.
// Outside dev mode the token always comes from AGENTGW_ADMIN_TOKEN; nothing is written.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const ADMIN_TOKEN_FILE = "admin-token";

export interface DevAdminToken {
  token: string;
  /** Absolute path of the file that keeps it. */
  file: string;
  /** True when this start made it. */
  created: boolean;
}

export function loadOrCreateDevAdminToken(dataDir: string): DevAdminToken {
  const file = resolve(join(dataDir, ADMIN_TOKEN_FILE));
  try {
    const token = readFileSync(file, "utf8").trim();
    if (token.length >= 16) {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      return { token, file, created: false };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      throw new Error(`cannot read the dev admin token file ${file}: ${(error as Error).message}`);
  }
  mkdirSync(resolve(dataDir), { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString("base64url");
  try {
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: "w" });
    chmodSync(file, 0o600);
  } catch (error) {
    throw new Error(`cannot write the dev admin token file ${file}: ${(error as Error).message}`);
  }
  return { token, file, created: true };
}
