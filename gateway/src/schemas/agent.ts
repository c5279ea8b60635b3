import { z } from "zod";
import { MCP_SCOPE } from "../mcp/mcp-tool-spec.js";
import { decodeCursor, encodeCursor } from "../store/ids.js";
import { KNOWN_SCOPES } from "../tools/catalog.js";

export const METADATA_MAX_BYTES = 8 * 1024;

// Validation keeps its own messages (and the handlers their own codes); `.meta` states the same
// constraints in the OpenAPI document, so generated clients and fuzzers know them too.

export const scopeSchema = z
  .string()
  // mcp.{server}:use for MCP servers, which the admin adds at run time.
  .refine((s) => KNOWN_SCOPES.has(s) || MCP_SCOPE.test(s), {
    message: `unknown scope; known scopes: ${[...KNOWN_SCOPES].join(", ")}, mcp.<server>:use`,
  })
  .meta({ enum: [...KNOWN_SCOPES] });

/** `agt_` and a ULID (26 Crockford base32 characters). */
export const AGENT_ID_PATTERN = /^agt_[0-9A-Z]{26}$/;
/** RFC 7638 JWK SHA-256 thumbprint, base64url without padding. */
export const KID_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** base64url, unpadded, of 32 raw bytes (an Ed25519 public key). */
const RAW_KEY_PATTERN = "^[A-Za-z0-9_-]{43}$";

export const agentIdSchema = z.string().regex(AGENT_ID_PATTERN, "not an agent id");
export const kidSchema = z.string().regex(KID_PATTERN, "not a key id (RFC 7638 thumbprint)");

export const metadataSchema = z
  .record(z.string(), z.unknown())
  .refine((m) => Buffer.byteLength(JSON.stringify(m)) <= METADATA_MAX_BYTES, {
    message: `metadata must be at most ${METADATA_MAX_BYTES} bytes of JSON`,
  });

export const nameSchema = z.string().trim().min(1).max(200);
export const tierSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "tier is 1-64 letters, digits, _ or -");

/** Raw base64url or an OKP JWK; checked for length and curve membership by the handler. */
export const publicKeyInputSchema = z.union([
  z.string().max(4096).meta({
    description:
      "The Ed25519 public key: base64url (unpadded) of its 32 raw bytes (an OKP JWK as JSON text is accepted too)",
    pattern: RAW_KEY_PATTERN,
  }),
  z
    .object({
      kty: z.string().meta({ const: "OKP" }),
      crv: z.string().meta({ const: "Ed25519" }),
      x: z.string().meta({ pattern: RAW_KEY_PATTERN }),
    })
    .loose()
    .meta({ description: "The Ed25519 public key as an OKP JWK (public members only)" }),
]);

export const agentKeySchema = z
  .object({
    kid: kidSchema,
    publicKey: z.string().regex(new RegExp(RAW_KEY_PATTERN)),
    status: z.enum(["active", "revoked"]),
    createdAt: z.string(),
  })
  .meta({ id: "AgentKey" });

export const agentSchema = z
  .object({
    id: agentIdSchema,
    name: z.string(),
    status: z.enum(["active", "suspended"]),
    scopes: z.array(z.string()),
    tier: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    keys: z.array(agentKeySchema),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Agent" });

export const createAgentBody = z.strictObject({
  name: nameSchema,
  publicKey: publicKeyInputSchema,
  scopes: z.array(scopeSchema).max(64).default([]),
  tier: tierSchema.default("default"),
  metadata: metadataSchema.default({}),
});

export const patchAgentBody = z
  .strictObject({
    name: nameSchema.optional(),
    scopes: z.array(scopeSchema).max(64).optional(),
    tier: tierSchema.optional(),
    metadata: metadataSchema.optional(),
    status: z.enum(["active", "suspended"]).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: "nothing to change: send at least one field" })
  .meta({ minProperties: 1 });

export const addKeyBody = z.strictObject({ publicKey: publicKeyInputSchema });

export const agentIdParams = z.strictObject({ id: agentIdSchema });
export const agentKeyParams = z.strictObject({ id: agentIdSchema, kid: kidSchema });

export const limitSchema = z.coerce.number().int().min(1).max(200).default(50);
export const cursorSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,200}$/, "not a cursor returned by this API")
  .optional();

/** A cursor this API could have returned: base64url of text matching `decoded`, and nothing else. */
function cursorOf(decoded: RegExp) {
  return z
    .string()
    .refine((cursor) => {
      const value = decodeCursor(cursor);
      return value !== null && decoded.test(value) && encodeCursor(value) === cursor;
    }, "not a cursor returned by this API")
    .meta({ pattern: "^[A-Za-z0-9_-]{1,200}$", description: "Opaque: the nextCursor of the previous page" })
    .optional();
}

/** Agent pages continue after an agent id. */
export const agentCursorSchema = cursorOf(/^agt_[0-9A-Z]{26}$/);
/** Decision and audit pages continue before a sequence number. */
export const seqCursorSchema = cursorOf(/^[1-9][0-9]{0,15}$/);

export const listAgentsQuery = z.strictObject({
  status: z.enum(["active", "suspended"]).optional(),
  limit: limitSchema,
  cursor: agentCursorSchema,
});

export const agentPageSchema = z.object({ items: z.array(agentSchema), nextCursor: z.string().nullable() });
