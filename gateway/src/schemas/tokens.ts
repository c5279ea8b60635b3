import { z } from "zod";

export const tokenRequestBody = z.strictObject({
  tool: z.string().min(1).max(64),
  scopes: z.array(z.string().min(1).max(128)).min(1).max(32),
  intent: z.string().trim().min(1).max(1000).optional(),
  ttlSeconds: z.number().int().min(1).max(86_400).optional(),
});

export const tokenResponseSchema = z
  .object({
    token: z.string(),
    tokenType: z.literal("Bearer"),
    jti: z.string(),
    tool: z.string(),
    scopes: z.array(z.string()),
    expiresAt: z.string(),
    expiresIn: z.number().int(),
  })
  .meta({ id: "ToolToken" });

export const jwksSchema = z
  .object({
    keys: z.array(
      z.object({
        kty: z.literal("OKP"),
        crv: z.literal("Ed25519"),
        x: z.string(),
        kid: z.string(),
        alg: z.literal("EdDSA"),
        use: z.literal("sig"),
      }),
    ),
  })
  .meta({ id: "JWKS" });

export const revokeTokensBody = z.union([
  z.strictObject({ jti: z.string().min(1).max(200) }),
  z.strictObject({ agentId: z.string().regex(/^agt_[0-9A-Z]{26}$/, "not an agent id") }),
]);
