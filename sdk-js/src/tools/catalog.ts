// Which scope each tool action needs (CONTRACT.md §6), so a call can ask for the right token
// without the caller naming scopes. The table is the protocol's one catalogue
// (protocol/protocol.json, rendered into generated/protocol.ts), the same the gateway resolves
// actions with; a path not listed there needs explicit `scopes`.
import { TOOL_NAME_PATTERN, TOOLS } from "../generated/protocol.js";

interface ActionScope {
  method: string;
  /** Matches the path after `/v1/tools/{tool}`, without the query. */
  path: RegExp;
  scope: string;
}

const ACTION_SCOPES: ReadonlyMap<string, readonly ActionScope[]> = new Map(
  TOOLS.map((tool) => [
    tool.name,
    tool.actions.map((a) => ({ method: a.method, path: new RegExp(a.path), scope: a.scope })),
  ]),
);

const CLIENT_BASE_PATHS: ReadonlyMap<string, string> = new Map(
  TOOLS.flatMap((tool) => ("clientBasePath" in tool ? [[tool.name, tool.clientBasePath] as const] : [])),
);

// Official clients that cannot take a base URL with a path (googleapis treats rootUrl as an origin) keep
// calling the tool's own origin; a tool fetch maps requests there onto the gateway.
const CLIENT_ORIGINS: ReadonlyMap<string, string> = new Map(
  TOOLS.flatMap((tool) => ("clientOrigin" in tool ? [[tool.name, tool.clientOrigin] as const] : [])),
);

const TOOL_NAME = new RegExp(TOOL_NAME_PATTERN);

/** The scope a call needs, or undefined when the catalogue does not know the action. */
export function scopeFor(tool: string, method: string, path: string): string | undefined {
  const bare = path.split("?", 1)[0] ?? "";
  const upper = method.toUpperCase();
  return ACTION_SCOPES.get(tool)?.find((a) => a.method === upper && a.path.test(bare))?.scope;
}

/** The part of a tool's own base URL after its host, where its official client expects it ("" if none). */
export function clientBasePath(tool: string): string {
  return CLIENT_BASE_PATHS.get(tool) ?? "";
}

/** The tool's own origin its official client calls (e.g. https://gmail.googleapis.com), if the SDK maps it. */
export function clientOrigin(tool: string): string | undefined {
  return CLIENT_ORIGINS.get(tool);
}

export function isToolName(tool: unknown): tool is string {
  return typeof tool === "string" && TOOL_NAME.test(tool);
}
