// Which scope each tool action needs (CONTRACT.md §6), so a call can ask for the right token
// without the caller naming scopes. Mirrors the gateway's catalogue; a path not listed here
// needs explicit `scopes` (the gateway decides whether the action exists).

interface ActionScope {
  method: string;
  /** Matches the path after `/v1/tools/{tool}`, without the query. */
  path: RegExp;
  scope: string;
}

const ACTION_SCOPES: Readonly<Record<string, readonly ActionScope[]>> = {
  openai: [
    { method: "POST", path: /^\/v1\/chat\/completions$/, scope: "openai:chat" },
    { method: "POST", path: /^\/v1\/responses$/, scope: "openai:chat" },
    { method: "POST", path: /^\/v1\/embeddings$/, scope: "openai:embeddings" },
    { method: "GET", path: /^\/v1\/models$/, scope: "openai:models" },
  ],
  gmail: [
    { method: "POST", path: /^\/gmail\/v1\/users\/me\/messages\/send$/, scope: "gmail:send" },
    { method: "GET", path: /^\/gmail\/v1\/users\/me\/messages$/, scope: "gmail:read" },
    { method: "GET", path: /^\/gmail\/v1\/users\/me\/messages\/[^/]+$/, scope: "gmail:read" },
  ],
  serpapi: [{ method: "GET", path: /^\/search(\.json)?$/, scope: "serpapi:search" }],
  http: [{ method: "POST", path: /^\/fetch$/, scope: "http:fetch" }],
};

/** The scope a call needs, or undefined when this SDK does not know the action. */
export function scopeFor(tool: string, method: string, path: string): string | undefined {
  const bare = path.split("?", 1)[0] ?? "";
  const upper = method.toUpperCase();
  return ACTION_SCOPES[tool]?.find((a) => a.method === upper && a.path.test(bare))?.scope;
}
