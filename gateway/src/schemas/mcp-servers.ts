import { z } from "zod";

export const mcpServerNameParams = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "an MCP server name: 1 to 63 of a-z 0-9 _ -"),
});

export const mcpToolParams = mcpServerNameParams.extend({
  tool: z.string().min(1).max(128),
});

export const acceptToolBody = z.strictObject({
  /** The digest the admin reviewed; refused with 409 conflict when the definition seen last is another. */
  digest: z.string().min(1).max(100).optional(),
});

export const putMcpServerBody = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  credential: z.string().min(1).max(64).nullable().optional(),
});

export const mcpServerSchema = z
  .object({
    name: z.string(),
    url: z.string(),
    credential: z.string().nullable(),
    source: z.enum(["config", "admin"]),
  })
  .meta({ id: "McpServer" });

export const mcpServerListSchema = z.object({ items: z.array(mcpServerSchema) });

export const toolPinSchema = z
  .object({
    server: z.string(),
    tool: z.string(),
    pinnedDigest: z.string(),
    seenDigest: z.string(),
    changed: z.boolean(),
    seen: z.object({
      name: z.string(),
      description: z.string().optional(),
      inputSchema: z.unknown().optional(),
      outputSchema: z.unknown().optional(),
    }),
    pinnedAt: z.string(),
    seenAt: z.string(),
  })
  .meta({ id: "McpToolPin" });

export const toolPinListSchema = z.object({ items: z.array(toolPinSchema) });
