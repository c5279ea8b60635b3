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

/** The row a newly issued token is recorded as (not revoked: revoked_at stays NULL). */
export function toTokenRow(token: IssuedToken): Omit<TokenRow, "revoked_at"> {
  return {
    jti: token.jti,
    agent_id: token.agentId,
    kid: token.kid,
    tool: token.tool,
    scopes: token.scopes.join(" "),
    issued_at: token.issuedAt,
    expires_at: token.expiresAt,
  };
}
