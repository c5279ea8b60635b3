import type pg from "pg";
import { TOKEN_COLUMNS, type TokenRow, tokenValues } from "../token-rows.js";
import type { TokenStore } from "../types.js";
import { query } from "./pool.js";

export function createPostgresTokenStore(pool: pg.Pool): TokenStore {
  return {
    async recordIssued(token) {
      await query(
        pool,
        `INSERT INTO tokens (${TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        tokenValues(token),
      );
    },
    async revokedAt(jti) {
      const { rows } = await query<Pick<TokenRow, "revoked_at">>(
        pool,
        "SELECT revoked_at FROM tokens WHERE jti = $1",
        [jti],
      );
      return rows[0]?.revoked_at ?? null;
    },
    async revokeByJti(jti, at) {
      return (
        (
          await query(pool, "UPDATE tokens SET revoked_at = $1 WHERE jti = $2 AND revoked_at IS NULL", [
            at,
            jti,
          ])
        ).rowCount ?? 0
      );
    },
    async revokeByAgent(agentId, at, kid) {
      // As in SQLite: every remembered token is marked (verifiers accept until exp + skew);
      // the count is of live ones.
      const scope = `agent_id = $2 AND revoked_at IS NULL ${kid ? "AND kid = $3" : ""}`;
      const args: Array<string | number> = kid ? [at, agentId, kid] : [at, agentId];
      const { rows } = await query<Pick<TokenRow, "expires_at">>(
        pool,
        `UPDATE tokens SET revoked_at = $1 WHERE ${scope} RETURNING expires_at`,
        args,
      );
      return rows.filter((r) => r.expires_at > at).length;
    },
    async purgeExpired(now) {
      return (await query(pool, "DELETE FROM tokens WHERE expires_at < $1", [now])).rowCount ?? 0;
    },
  };
}
