// Verifying the tool token of a tool call. Order: the token's own proof (signature by a
// key in our ring, typ, issuer, well-formed claims; cached per token string) → time →
// audience = the tool in the path → bound to the key that signed this request →
// not revoked (asked of the store on every call, never cached).
import { errors, type JWTHeaderParameters, jwtVerify } from "jose";
import { GatewayError } from "../errors.js";
import type { TokenStore } from "../store/types.js";
import { splitScopes, TOOL_TOKEN_TYPE, type ToolTokenClaims, toolTokenClaimsSchema } from "./claims.js";
import { SIGNING_ALG, type SigningKeyRing } from "./signing-keys.js";
import { createVerifiedTokenCache } from "./verified-token-cache.js";

/** Our tokens are a few hundred bytes; anything far larger is not one of ours. */
const MAX_TOKEN_LENGTH = 8192;
const REQUIRED_CLAIMS = ["iss", "sub", "aud", "scope", "jti", "iat", "nbf", "exp", "cnf", "rev"];

export interface ToolTokenVerifierOptions {
  keyRing: Pick<SigningKeyRing, "keyFor"> & Partial<Pick<SigningKeyRing, "refresh">>;
  /** The gateway's public URL; tokens from any other issuer are refused. */
  issuer: string;
  tokenStore: Pick<TokenStore, "revokedAt">;
  now: () => Date;
  /** Allowed clock skew for `nbf` and `exp` (the same rule as signatures; default 30). */
  skewSeconds?: number;
  /** Verified tokens kept in memory (default 10 000; 0 turns the cache off). */
  cacheSize?: number;
}

export interface ExpectedBinding {
  /** The tool named in the request path; must equal `aud`. */
  tool: string;
  /** The agent that owns the signing key; must equal `sub`. */
  agentId: string;
  /** The keyid of the request's signature; must equal `cnf.jkt`. */
  kid: string;
}

export interface VerifiedToolToken {
  /** Shared with later calls of the same token (cached), hence frozen. */
  readonly claims: Readonly<ToolTokenClaims>;
  /** The caller's own copy. */
  scopes: string[];
  /** The gateway key that signed the token. */
  readonly signingKid: string;
}

export interface ToolTokenVerifier {
  /** The verified token, or a GatewayError: token_invalid, token_expired, token_key_mismatch, token_revoked. */
  verify(token: string, expected: ExpectedBinding): Promise<VerifiedToolToken>;
}

export function createToolTokenVerifier(options: ToolTokenVerifierOptions): ToolTokenVerifier {
  const { keyRing, issuer, tokenStore, now } = options;
  const skewSeconds = options.skewSeconds ?? 30;
  if (typeof keyRing?.keyFor !== "function") throw new TypeError("keyRing must provide keyFor(kid)");
  if (typeof tokenStore?.revokedAt !== "function")
    throw new TypeError("tokenStore must provide revokedAt(jti)");
  if (typeof issuer !== "string" || issuer === "") throw new TypeError("issuer must be a non-empty string");
  if (typeof now !== "function") throw new TypeError("now must be a function returning a Date");
  if (!Number.isInteger(skewSeconds) || skewSeconds < 0) {
    throw new RangeError("skewSeconds must be a non-negative integer");
  }
  const cache = createVerifiedTokenCache<VerifiedToolToken>(options.cacheSize ?? 10_000);

  // jose calls this before anything is verified: the header is untrusted.
  async function keyForHeader(header: JWTHeaderParameters) {
    if (typeof header.kid !== "string" || header.kid === "") {
      throw new GatewayError("token_invalid", "the token header has no kid");
    }
    let key = keyRing.keyFor(header.kid);
    if (!key && keyRing.refresh) {
      // Another instance may have rotated a moment ago; the ring throttles these reads.
      await keyRing.refresh();
      key = keyRing.keyFor(header.kid);
    }
    if (!key) throw new GatewayError("token_invalid", "the token was not signed by a key of this gateway");
    return key;
  }

  async function verifyProof(token: string, currentDate: Date): Promise<VerifiedToolToken> {
    let payload: unknown;
    let signingKid: string;
    try {
      const result = await jwtVerify(token, keyForHeader, {
        algorithms: [SIGNING_ALG],
        typ: TOOL_TOKEN_TYPE,
        issuer,
        currentDate,
        clockTolerance: skewSeconds,
        requiredClaims: REQUIRED_CLAIMS,
      });
      payload = result.payload;
      signingKid = String(result.protectedHeader.kid);
    } catch (error) {
      throw toGatewayError(error);
    }
    const parsed = toolTokenClaimsSchema.safeParse(payload);
    if (!parsed.success) {
      const badClaims = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? "payload")))];
      throw new GatewayError("token_invalid", `the token's claims are malformed: ${badClaims.join(", ")}`);
    }
    // Frozen because the same claims are handed to every call that hits the cache.
    const claims = Object.freeze({ ...parsed.data, cnf: Object.freeze({ ...parsed.data.cnf }) });
    return { claims, scopes: splitScopes(claims.scope), signingKid };
  }

  return {
    async verify(token, expected) {
      if (typeof token !== "string" || token === "" || token.length > MAX_TOKEN_LENGTH) {
        throw new GatewayError("token_invalid", "the token is not a JWT");
      }
      const currentDate = now();
      const nowSeconds = Math.floor(currentDate.getTime() / 1000);

      let verified = cache.get(token, nowSeconds);
      if (!verified) {
        verified = await verifyProof(token, currentDate);
        cache.set(token, verified, verified.claims.exp + skewSeconds);
      }
      const { claims } = verified;

      // The same rule jose applies, repeated here because cached tokens skip jose.
      if (nowSeconds >= claims.exp + skewSeconds) {
        throw new GatewayError("token_expired", `the token expired at ${isoSeconds(claims.exp)}`);
      }
      if (claims.nbf - skewSeconds > nowSeconds) {
        throw new GatewayError("token_invalid", `the token is not valid before ${isoSeconds(claims.nbf)}`);
      }
      if (claims.aud !== expected.tool) {
        throw new GatewayError(
          "token_invalid",
          `the token is for tool "${claims.aud}", not "${expected.tool}"`,
        );
      }
      if (claims.cnf.jkt !== expected.kid) {
        throw new GatewayError(
          "token_key_mismatch",
          "the token is bound to another key than the one that signed this request",
        );
      }
      // A key belongs to one agent, so jkt implies sub today; checked anyway so a token never
      // acts for an agent it was not issued to, whatever happens to keys later.
      if (claims.sub !== expected.agentId) {
        throw new GatewayError("token_invalid", "the token was issued to another agent");
      }
      if ((await tokenStore.revokedAt(claims.jti)) !== null) {
        throw new GatewayError("token_revoked", "the token has been revoked");
      }
      return { ...verified, scopes: [...verified.scopes] };
    },
  };
}

/** jose's errors to ours; details say what failed without echoing the token. */
function toGatewayError(error: unknown): unknown {
  if (error instanceof GatewayError) return error;
  if (error instanceof errors.JWTExpired) {
    const exp = typeof error.payload.exp === "number" ? ` at ${isoSeconds(error.payload.exp)}` : "";
    return new GatewayError("token_expired", `the token expired${exp}`);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf" && error.reason === "check_failed") {
      const nbf = typeof error.payload.nbf === "number" ? ` before ${isoSeconds(error.payload.nbf)}` : " yet";
      return new GatewayError("token_invalid", `the token is not valid${nbf}`);
    }
    if (error.claim === "iss")
      return new GatewayError("token_invalid", "the token was issued by another issuer");
    if (error.claim === "typ")
      return new GatewayError("token_invalid", `the token's typ is not "${TOOL_TOKEN_TYPE}"`);
    return new GatewayError(
      "token_invalid",
      `the token's "${error.claim}" claim is ${describeReason(error.reason)}`,
    );
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new GatewayError("token_invalid", "the token's signature does not verify");
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new GatewayError("token_invalid", `the token's alg must be ${SIGNING_ALG}`);
  }
  if (error instanceof errors.JOSEError)
    return new GatewayError("token_invalid", "the token is not a well-formed JWT");
  return error;
}

function describeReason(reason: string): string {
  return reason === "missing" ? "missing" : "invalid";
}

function isoSeconds(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? `${seconds} (unix seconds)` : date.toISOString();
}
