import type pg from "pg";
import type { ConsoleSignOutStore } from "../types.js";
import { query } from "./pool.js";

export function createPostgresConsoleSignOutStore(pool: pg.Pool): ConsoleSignOutStore {
  return {
    async signOut(sessionHash, expiresAtMs) {
      await query(
        pool,
        "INSERT INTO console_sign_outs (session_hash, expires_ms) VALUES ($1, $2) ON CONFLICT (session_hash) DO NOTHING",
        [sessionHash, expiresAtMs],
      );
    },
    async isSignedOut(sessionHash) {
      const { rowCount } = await query(pool, "SELECT 1 FROM console_sign_outs WHERE session_hash = $1", [
        sessionHash,
      ]);
      return (rowCount ?? 0) > 0;
    },
    async purgeExpired(nowMs) {
      return (
        (await query(pool, "DELETE FROM console_sign_outs WHERE expires_ms < $1", [nowMs])).rowCount ?? 0
      );
    },
  };
}
