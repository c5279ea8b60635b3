// Tool tokens (CONTRACT.md §4): signing keys and JWKS, minting, verifying, revoking.
export { splitScopes, TOOL_TOKEN_TYPE, type ToolTokenClaims } from "./claims.js";
export { effectiveTtl } from "./effective-ttl.js";
export {
  issueToolToken,
  type MintedToolToken,
  type MintToolTokenOptions,
  mintToolToken,
} from "./mint-token.js";
export {
  createTokenRevoker,
  type PurgeTimer,
  startExpiredTokenPurge,
  type TokenRevoker,
} from "./revocation.js";
export {
  createSigningKeyRing,
  type Jwks,
  type PublicSigningJwk,
  SIGNING_ALG,
  type SigningKey,
  type SigningKeyRing,
  type SigningKeyRingOptions,
} from "./signing-keys.js";
export {
  createToolTokenVerifier,
  type ExpectedBinding,
  type ToolTokenVerifier,
  type ToolTokenVerifierOptions,
  type VerifiedToolToken,
} from "./verify-token.js";
