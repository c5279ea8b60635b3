import type { Database } from "better-sqlite3";
import type { ConsoleSignOutStore } from "../types.js";

export function createSqliteConsoleSignOutStore(db: Database): ConsoleSignOutStore {
  const insert = db.prepare(
    "INSERT INTO console_sign_outs (session_hash, expires_ms) VALUES (?, ?) ON CONFLICT (session_hash) DO NOTHING",
  );
  const select = db.prepare<[string], { n: number }>(
    "SELECT 1 AS n FROM console_sign_outs WHERE session_hash = ?",
  );
  const purge = db.prepare("DELETE FROM console_sign_outs WHERE expires_ms < ?");
  return {
    async signOut(sessionHash, expiresAtMs) {
      insert.run(sessionHash, expiresAtMs);
    },
    async isSignedOut(sessionHash) {
      return select.get(sessionHash) !== undefined;
    },
    async purgeExpired(nowMs) {
      return purge.run(nowMs).changes;
    },
  };
}
