// The tokens table as both engines store it: one row per issued token (scopes space-separated,
// times as unix seconds), revoked_at set once when it is revoked.
import type { IssuedToken } from "./types.js";

/** A row of the tokens table, the same in both engines. */
export interface TokenRow {
  jti: string;
  agent_id: string;
  kid: string;
  tool: string;
  scopes: string;
  issued_at: number;
  expires_at: number;
  revoked_at: number | null;
}

/** The columns an issued token is recorded in, in the order tokenValues lists its values (not revoked yet). */
export const TOKEN_COLUMNS = "jti, agent_id, kid, tool, scopes, issued_at, expires_at";

/** An issued token's values in TOKEN_COLUMNS order (scopes space-separated), to bind positionally. */
export function tokenValues(token: IssuedToken): Array<string | number> {
  return [
    token.jti,
    token.agentId,
    token.kid,
    token.tool,
    token.scopes.join(" "),
    token.issuedAt,
    token.expiresAt,
  ];
}
