// A tool definition's digest: what the gateway pins. Name, description and schemas are what an agent's
// model reads and relies on; a change to any of them is a change an admin must accept.
import { createHash } from "node:crypto";

export interface McpToolDefinition {
  name: string;
  description?: string | undefined;
  inputSchema?: unknown;
  outputSchema?: unknown;
}

export function toolDigest(tool: McpToolDefinition): string {
  const pinned = {
    name: tool.name,
    description: tool.description ?? null,
    inputSchema: tool.inputSchema ?? null,
    outputSchema: tool.outputSchema ?? null,
  };
  return `sha256:${createHash("sha256").update(canonicalJson(pinned)).digest("hex")}`;
}

/** JSON with object members sorted, so equal definitions digest equally whatever their member order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}
