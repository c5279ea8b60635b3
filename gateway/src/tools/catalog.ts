// What each tool can do and which scope each action needs (CONTRACT.md §6).
// Actions are resolved from method + path; a path no action matches is refused.
import { TOOLS } from "@agentgw/sdk/protocol";

export interface ActionSpec {
  name: string;
  scope: string;
  method: "GET" | "POST";
  /** Matches the path after `/v1/tools/{tool}` (no query). */
  path: RegExp;
  /** Safe to retry and to cache: it changes nothing upstream. */
  idempotent: boolean;
  description: string;
}

export interface ToolSpec {
  name: string;
  description: string;
  actions: readonly ActionSpec[];
}

/** The protocol's one catalogue (protocol/protocol.json), shared with the SDKs. */
export const TOOL_CATALOG: readonly ToolSpec[] = TOOLS.map((tool) => ({
  name: tool.name,
  description: tool.description,
  actions: tool.actions.map((action) => ({ ...action, path: new RegExp(action.path) })),
}));

const byName = new Map(TOOL_CATALOG.map((tool) => [tool.name, tool]));

export function findTool(name: string): ToolSpec | undefined {
  return byName.get(name);
}

export function resolveAction(tool: ToolSpec, method: string, path: string): ActionSpec | undefined {
  return tool.actions.find((action) => action.method === method && action.path.test(path));
}

/** Every scope some action needs, e.g. for validating an agent's scope ceiling. */
export const KNOWN_SCOPES: ReadonlySet<string> = new Set(
  TOOL_CATALOG.flatMap((t) => t.actions.map((a) => a.scope)),
);

export function scopesOf(tool: ToolSpec): string[] {
  return [...new Set(tool.actions.map((a) => a.scope))];
}
