#!/usr/bin/env node
// Micro-benchmark of PolicyEngine.decide() with the example policies (policies/),
// compiled to WebAssembly and evaluated in-process, on realistic inputs.
//
//   npm run build -w @agentgw/sdk && npm run build -w @agentgw/gateway
//   node bench/policy-eval.mjs [seconds per case, default 2]
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { pino } from "pino";

const engineModule = new URL("../gateway/dist/policy/policy-engine.js", import.meta.url);
if (!existsSync(fileURLToPath(engineModule))) {
  console.error("gateway/dist is missing: run `npm run build -w @agentgw/gateway` first.");
  process.exit(1);
}
const { loadPolicyEngine } = await import(engineModule.href);

const seconds = Number(process.argv[2] ?? 2);
const policies = fileURLToPath(new URL("../policies", import.meta.url));
const opaPath = fileURLToPath(new URL("../.tools/bin/opa", import.meta.url));
const engine = await loadPolicyEngine({
  source: policies,
  opaPath,
  logger: pino({ level: "warn" }),
  watch: false,
});

const unix = Math.floor(Date.now() / 1000);
const agent = {
  id: "agt_01JBENCH0000000000000000",
  name: "research-assistant",
  tier: "default",
  scopes: ["openai:chat", "openai:embeddings", "gmail:send", "gmail:read", "serpapi:search", "http:fetch"],
  metadata: { role: "assistant", team: "research", owner: "alice@example.com" },
};
const common = {
  agent,
  kid: "mJ3kQ2m1vS7d0bVxXl3qfJQ3cYy8eR3yq5c0p2w9Z1E",
  intent: "summarise this week's support tickets",
  time: { now: new Date(unix * 1000).toISOString(), unix },
  source: { ip: "127.0.0.1" },
};
const token = { jti: "tok_01JBENCH", scopes: ["openai:chat"], iat: unix - 10, exp: unix + 290 };

const cases = {
  "token request (openai:chat)": {
    ...common,
    phase: "token",
    tool: "openai",
    action: null,
    scopes: ["openai:chat"],
    request: {
      method: "POST",
      path: "/v1/tokens",
      query: {},
      headers: { "content-type": "application/json" },
      body: null,
    },
    token: null,
  },
  "OpenAI chat call (1 KiB body)": {
    ...common,
    phase: "call",
    tool: "openai",
    action: "chat.completions.create",
    scopes: ["openai:chat"],
    request: {
      method: "POST",
      path: "/v1/chat/completions",
      query: {},
      headers: {
        "content-type": "application/json",
        "content-length": "1180",
        "user-agent": "agentgw-sdk/0.1",
      },
      body: {
        model: "gpt-4o-mini",
        max_tokens: 512,
        messages: [
          { role: "system", content: "You are a careful research assistant. ".repeat(8) },
          { role: "user", content: "Summarise the following tickets in three bullet points. ".repeat(12) },
        ],
      },
    },
    token,
  },
  "HTTP fetch call": {
    ...common,
    phase: "call",
    tool: "http",
    action: "fetch",
    scopes: ["http:fetch"],
    request: {
      method: "POST",
      path: "/fetch",
      query: {},
      headers: { "content-type": "application/json", "content-length": "80" },
      body: { url: "https://api.example.com/v1/items?page=2", method: "GET", headers: {}, body: null },
    },
    token: { ...token, scopes: ["http:fetch"] },
  },
};

function measure(input) {
  for (let i = 0; i < 2000; i++) engine.decide(input); // warm up
  let calls = 0;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  while (performance.now() < deadline) {
    for (let i = 0; i < 100; i++) engine.decide(input);
    calls += 100;
  }
  const elapsedMs = performance.now() - start;
  return { opsPerSecond: Math.round((calls / elapsedMs) * 1000), microsPerCall: (elapsedMs * 1000) / calls };
}

console.log(`policy revision ${engine.status().revision}; Node ${process.version}; ${seconds} s per case`);
for (const [name, input] of Object.entries(cases)) {
  const decision = engine.decide(input);
  if (!decision.allow) throw new Error(`${name} was denied: ${decision.reasons.join("; ")}`);
  const { opsPerSecond, microsPerCall } = measure(input);
  console.log(
    `${name.padEnd(32)} ${String(opsPerSecond).padStart(8)} ops/s  ${microsPerCall.toFixed(1).padStart(7)} µs/call`,
  );
}
await engine.close();
