import type { PolicyInput } from "./types.js";

/**
 * Realistic inputs a new policy must evaluate cleanly before it serves: one per
 * phase, for an ordinary agent asking for and using OpenAI chat.
 */
export function smokeInputs(at: Date): PolicyInput[] {
  const agent = {
    id: "agt_smoke",
    name: "smoke-test",
    tier: "default",
    scopes: ["openai:chat"],
    metadata: {},
  };
  const time = { now: at.toISOString(), unix: Math.floor(at.getTime() / 1000) };
  const source = { ip: "127.0.0.1" };
  return [
    {
      phase: "token",
      agent,
      kid: "smoke",
      tool: "openai",
      action: null,
      scopes: ["openai:chat"],
      intent: "policy smoke test",
      request: { method: "POST", path: "/v1/tokens", query: {}, headers: {}, size: 0, body: null },
      token: null,
      time,
      source,
    },
    {
      phase: "call",
      agent,
      kid: "smoke",
      tool: "openai",
      action: "chat.completions.create",
      scopes: ["openai:chat"],
      intent: "policy smoke test",
      request: {
        method: "POST",
        path: "/v1/chat/completions",
        query: {},
        headers: { "content-type": "application/json", "content-length": "64" },
        size: 64,
        body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "ping" }], max_tokens: 16 },
      },
      token: { jti: "smoke", scopes: ["openai:chat"], iat: time.unix, exp: time.unix + 60 },
      time,
      source,
    },
  ];
}
