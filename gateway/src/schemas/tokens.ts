import { z } from "zod";
import { KNOWN_SCOPES, TOOL_CATALOG } from "../tools/catalog.js";
import { agentIdSchema, kidSchema, scopeSchema } from "./agent.js";

/** A tool's name; an unknown one is answered 404 unknown_tool by the handler, not by validation. */
export const toolNameSchema = z
  .string()
  .min(1)
  .max(64)
  .meta({ enum: TOOL_CATALOG.map((tool) => tool.name) });

export const tokenRequestBody = z.strictObject({
  tool: toolNameSchema,
  scopes: z
    .array(z.string().min(1).max(128).meta({ enum: [...KNOWN_SCOPES] }))
    .min(1)
    .max(32),
  intent: z.string().trim().min(1).max(1000).optional(),
  ttlSeconds: z.number().int().min(1).max(86_400).optional(),
});

export const tokenResponseSchema = z
  .object({
    token: z.string(),
    tokenType: z.literal("Bearer"),
    jti: z.string(),
    tool: toolNameSchema,
    scopes: z.array(scopeSchema),
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
        kid: kidSchema,
        alg: z.literal("EdDSA"),
        use: z.literal("sig"),
      }),
    ),
  })
  .meta({ id: "JWKS" });

export const revokeTokensBody = z.union([
  z.strictObject({ jti: z.string().min(1).max(200) }),
  z.strictObject({ agentId: agentIdSchema }),
]);
