// The claims of a tool token (CONTRACT.md §4) and the check that a verified payload has
// them all with the right types. A signed token with a missing or odd claim is still
// refused: the signature proves who made it, not that it is well formed.
import { z } from "zod";

/** The JOSE `typ` of a tool token (RFC 9068 access-token JWT). */
export const TOOL_TOKEN_TYPE = "at+jwt";

const unixSeconds = z.number().int().nonnegative();

export const toolTokenClaimsSchema = z.object({
  iss: z.string().min(1),
  /** The agent id. */
  sub: z.string().min(1),
  /** The tool the token is for. */
  aud: z.string().min(1),
  /** Space-separated scopes (RFC 8693 / RFC 9068 style). */
  scope: z.string().min(1),
  jti: z.string().min(1),
  iat: unixSeconds,
  nbf: unixSeconds,
  exp: unixSeconds,
  /** RFC 7800 confirmation: the RFC 7638 thumbprint of the agent key the token is bound to. */
  cnf: z.looseObject({ jkt: z.string().min(1) }),
  intent: z.string().optional(),
  /** The policy revision that allowed the token. */
  rev: z.string(),
});

export type ToolTokenClaims = z.infer<typeof toolTokenClaimsSchema>;

export function splitScopes(scope: string): string[] {
  return scope.split(" ").filter((item) => item !== "");
}
