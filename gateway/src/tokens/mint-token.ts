// Minting a tool token: an EdDSA JWT signed by the key ring's current key, bound to the
// agent key that asked for it (`cnf.jkt`). The caller has already authenticated the
// request, checked scopes against the catalogue and asked the policy; the inputs here
// are trusted, so misuse throws TypeError/RangeError rather than a GatewayError.
import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import type { IssuedToken, TokenStore } from "../store/types.js";
import { TOOL_TOKEN_TYPE, type ToolTokenClaims } from "./claims.js";
import { SIGNING_ALG, type SigningKeyRing } from "./signing-keys.js";

/** 128 bits of randomness: unguessable and, in practice, never repeated. */
const JTI_BYTES = 16;
const SCOPE_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]+$/; // RFC 6749 §3.3 scope-token

export interface MintToolTokenOptions {
  keyRing: Pick<SigningKeyRing, "current">;
  /** The gateway's public URL (`AGENTGW_PUBLIC_URL`). */
  issuer: string;
  agentId: string;
  /** RFC 7638 thumbprint of the agent key that signed the token request; becomes `cnf.jkt`. */
  kid: string;
  tool: string;
  scopes: readonly string[];
  intent?: string | null;
  /** Already capped: see `effectiveTtl`. */
  ttlSeconds: number;
  policyRevision: string;
  now: () => Date;
}

export interface MintedToolToken {
  token: string;
  jti: string;
  /** RFC 3339. */
  expiresAt: string;
  /** Seconds from now. */
  expiresIn: number;
  claims: ToolTokenClaims;
  /** The gateway key that signed it (the JWT header `kid`). */
  signingKid: string;
  /** What `TokenStore.recordIssued` needs, so revocation by agent or key finds the token. */
  issued: IssuedToken;
}

export async function mintToolToken(options: MintToolTokenOptions): Promise<MintedToolToken> {
  const { keyRing, issuer, agentId, kid, tool, scopes, intent, ttlSeconds, policyRevision, now } = options;
  requireText("issuer", issuer);
  requireText("agentId", agentId);
  requireText("kid", kid);
  requireText("tool", tool);
  if (typeof policyRevision !== "string") throw new TypeError("policyRevision must be a string");
  if (!Array.isArray(scopes) || scopes.length === 0) throw new RangeError("scopes must be a non-empty array");
  for (const scope of scopes) {
    if (typeof scope !== "string" || !SCOPE_PATTERN.test(scope)) {
      throw new RangeError("each scope must be a non-empty RFC 6749 scope-token (no spaces)");
    }
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1)
    throw new RangeError("ttlSeconds must be a positive integer");
  if (intent !== undefined && intent !== null && typeof intent !== "string") {
    throw new TypeError("intent must be a string when given");
  }

  const signingKey = keyRing.current();
  const issuedAt = Math.floor(now().getTime() / 1000);
  const uniqueScopes = [...new Set(scopes)];
  const claims: ToolTokenClaims = {
    iss: issuer,
    sub: agentId,
    aud: tool,
    scope: uniqueScopes.join(" "),
    jti: randomBytes(JTI_BYTES).toString("base64url"),
    iat: issuedAt,
    nbf: issuedAt,
    exp: issuedAt + ttlSeconds,
    cnf: { jkt: kid },
    ...(typeof intent === "string" ? { intent } : {}),
    rev: policyRevision,
  };
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: SIGNING_ALG, kid: signingKey.kid, typ: TOOL_TOKEN_TYPE })
    .sign(signingKey.privateKey);

  return {
    token,
    jti: claims.jti,
    expiresAt: new Date(claims.exp * 1000).toISOString(),
    expiresIn: ttlSeconds,
    claims,
    signingKid: signingKey.kid,
    issued: {
      jti: claims.jti,
      agentId,
      kid,
      tool,
      scopes: uniqueScopes,
      issuedAt,
      expiresAt: claims.exp,
    },
  };
}

/** Mints a token and records it, so it can be revoked by jti, by agent or by agent key. */
export async function issueToolToken(
  options: MintToolTokenOptions & { tokenStore: Pick<TokenStore, "recordIssued"> },
): Promise<MintedToolToken> {
  const minted = await mintToolToken(options);
  await options.tokenStore.recordIssued(minted.issued);
  return minted;
}

function requireText(name: string, value: unknown): void {
  if (typeof value !== "string" || value === "") throw new TypeError(`${name} must be a non-empty string`);
}
