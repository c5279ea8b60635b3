import { z } from "zod";
import { KNOWN_SCOPES, TOOL_CATALOG } from "../tools/catalog.js";
import { agentIdSchema, kidSchema } from "./agent.js";

export const TOOL_NAMES = TOOL_CATALOG.map((tool) => tool.name);

/**
 * A tool's name; an unknown one is answered 404 unknown_tool by the handler, not by validation.
 * Described, not enumerated: clients built from the document must not break when tools are added.
 */
export const toolNameSchema = z
  .string()
  .min(1)
  .max(64)
  .meta({
    description: `A tool of GET /v1/tools (built in: ${TOOL_NAMES.join(", ")})`,
    examples: TOOL_NAMES,
  });

export const tokenRequestBody = z.strictObject({
  tool: toolNameSchema,
  scopes: z
    .array(
      z
        .string()
        .min(1)
        .max(128)
        .meta({ enum: [...KNOWN_SCOPES] }),
    )
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
    // Open-ended on the way out, so clients keep working when tools are added.
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
