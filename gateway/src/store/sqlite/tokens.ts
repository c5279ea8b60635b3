import type { Database } from "better-sqlite3";
import { TOKEN_COLUMNS, type TokenRow, tokenValues } from "../token-rows.js";
import type { TokenStore } from "../types.js";

export function createSqliteTokenStore(db: Database): TokenStore {
  const insert = db.prepare(`INSERT INTO tokens (${TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const selectRevoked = db.prepare<[string], Pick<TokenRow, "revoked_at">>(
    "SELECT revoked_at FROM tokens WHERE jti = ?",
  );
  return {
    async recordIssued(token) {
      insert.run(...tokenValues(token));
    },
    async revokedAt(jti) {
      return selectRevoked.get(jti)?.revoked_at ?? null;
    },
    async revokeByJti(jti, at) {
      return db.prepare("UPDATE tokens SET revoked_at = ? WHERE jti = ? AND revoked_at IS NULL").run(at, jti)
        .changes;
    },
    async revokeByAgent(agentId, at, kid) {
      // Every remembered token is marked, even one just past exp: verifiers accept tokens until
      // exp + skew. The count reports the live ones, which is what an admin means by "revoked".
      const scope = `agent_id = ? AND revoked_at IS NULL ${kid ? "AND kid = ?" : ""}`;
      const args: string[] = kid ? [agentId, kid] : [agentId];
      return db.transaction(() => {
        const live = db
          .prepare<unknown[], { n: number }>(
            `SELECT count(*) AS n FROM tokens WHERE ${scope} AND expires_at > ?`,
          )
          .get(...args, at)!.n;
        db.prepare(`UPDATE tokens SET revoked_at = ? WHERE ${scope}`).run(at, ...args);
        return live;
      })();
    },
    async purgeExpired(now) {
      return db.prepare("DELETE FROM tokens WHERE expires_at < ?").run(now).changes;
    },
  };
}
