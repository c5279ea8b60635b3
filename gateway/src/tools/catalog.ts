// What each tool can do and which scope each action needs (CONTRACT.md §6).
// Actions are resolved from method + path; a path no action matches is refused.

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

export const TOOL_CATALOG: readonly ToolSpec[] = [
  {
    name: "openai",
    description: "OpenAI API: chat completions, responses, embeddings, models",
    actions: [
      {
        name: "chat.completions.create",
        scope: "openai:chat",
        method: "POST",
        path: /^\/v1\/chat\/completions$/,
        idempotent: false,
        description: "Create a chat completion (streaming supported)",
      },
      {
        name: "responses.create",
        scope: "openai:chat",
        method: "POST",
        path: /^\/v1\/responses$/,
        idempotent: false,
        description: "Create a model response (streaming supported)",
      },
      {
        name: "embeddings.create",
        scope: "openai:embeddings",
        method: "POST",
        path: /^\/v1\/embeddings$/,
        idempotent: false,
        description: "Create embeddings",
      },
      {
        name: "models.list",
        scope: "openai:models",
        method: "GET",
        path: /^\/v1\/models$/,
        idempotent: true,
        description: "List models",
      },
    ],
  },
  {
    name: "gmail",
    description: "Gmail API: send, list and read messages of the configured mailbox",
    actions: [
      {
        name: "messages.send",
        scope: "gmail:send",
        method: "POST",
        path: /^\/gmail\/v1\/users\/me\/messages\/send$/,
        idempotent: false,
        description: "Send an RFC 2822 message (base64url raw)",
      },
      {
        name: "messages.list",
        scope: "gmail:read",
        method: "GET",
        path: /^\/gmail\/v1\/users\/me\/messages$/,
        idempotent: true,
        description: "List messages",
      },
      {
        name: "messages.get",
        scope: "gmail:read",
        method: "GET",
        path: /^\/gmail\/v1\/users\/me\/messages\/[A-Za-z0-9_-]{1,128}$/,
        idempotent: true,
        description: "Get one message",
      },
    ],
  },
  {
    name: "serpapi",
    description: "SerpAPI web search",
    actions: [
      {
        name: "search",
        scope: "serpapi:search",
        method: "GET",
        path: /^\/search(\.json)?$/,
        idempotent: true,
        description: "Search the web",
      },
    ],
  },
  {
    name: "http",
    description: "Fetch allow-listed web pages (SSRF-safe)",
    actions: [
      // The fetch itself may be a GET; whether it is cacheable is decided per request by the connector.
      {
        name: "fetch",
        scope: "http:fetch",
        method: "POST",
        path: /^\/fetch$/,
        idempotent: false,
        description: "Fetch a URL on an allow-listed host",
      },
    ],
  },
];

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
