// The repository's example policies (policies/), compiled to WebAssembly and run
// through the engine: the same verdicts and reasons `opa test` checks natively,
// so the WASM build (JS sprintf, host time builtins) says the same thing.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { KNOWN_SCOPES } from "../tools/catalog.js";
import { loadPolicyEngine, type PolicyEngine } from "./policy-engine.js";
import { captureLogger, opaPath, sampleInput } from "./testing/opa-fixtures.js";
import type { PolicyInput } from "./types.js";

const POLICIES = fileURLToPath(new URL("../../../policies", import.meta.url));
const ALL_SCOPES = [...KNOWN_SCOPES];

let engine: PolicyEngine;
before(async () => {
  engine = await loadPolicyEngine({
    source: POLICIES,
    logger: captureLogger().logger,
    opaPath: await opaPath(),
    watch: false,
  });
});
after(() => engine.close());

function agent(changes: Partial<PolicyInput["agent"]> = {}): PolicyInput["agent"] {
  return {
    id: "agt_example",
    name: "example",
    tier: "default",
    scopes: ALL_SCOPES,
    metadata: {},
    ...changes,
  };
}

function token(tool: string, scopes: string[], changes: Partial<PolicyInput> = {}): PolicyInput {
  return sampleInput({ agent: agent(), tool, scopes, ...changes });
}

function call(
  tool: string,
  action: string,
  scopes: string[],
  body: unknown,
  changes: Partial<PolicyInput> = {},
): PolicyInput {
  const base = sampleInput();
  return {
    ...base,
    phase: "call",
    agent: agent(),
    tool,
    action,
    scopes,
    request: { method: "POST", path: "/", query: {}, headers: { "content-length": "120" }, size: 120, body },
    token: { jti: "jti", scopes, iat: base.time.unix - 10, exp: base.time.unix + 290 },
    ...changes,
  };
}

function assertDenied(input: PolicyInput, reason: string): void {
  const decision = engine.decide(input);
  assert.equal(decision.allow, false, reason);
  assert.ok(decision.reasons.includes(reason), `expected "${reason}" in ${JSON.stringify(decision.reasons)}`);
}

function assertAllowed(input: PolicyInput): void {
  assert.deepEqual(engine.decide(input).reasons, []);
  assert.equal(engine.decide(input).allow, true);
}

describe("example policies under WebAssembly", () => {
  test("the end-to-end flows pass: tokens within the ceiling, ordinary tool calls", () => {
    assertAllowed(token("openai", ["openai:chat"]));
    assertAllowed(token("gmail", ["gmail:send"], { intent: "send the weekly report" }));
    assertAllowed(
      call("openai", "chat.completions.create", ["openai:chat"], { model: "gpt-4o-mini", max_tokens: 100 }),
    );
    assertAllowed(call("serpapi", "search", ["serpapi:search"], null));
    assertAllowed(
      call("http", "fetch", ["http:fetch"], { url: "http://127.0.0.1:8081/data", method: "GET" }),
    );
    assertAllowed(
      call("gmail", "messages.send", ["gmail:send"], {
        to: ["Ann <ann@example.com>"],
        cc: [],
        bcc: [],
        subject: "Hi",
      }),
    );
  });

  test("scope ceilings, tools, actions and intent", () => {
    assertDenied(
      token("openai", ["openai:chat"], { agent: agent({ scopes: [] }) }),
      "scope openai:chat is beyond this agent's ceiling",
    );
    assertDenied(token("ftp", []), "tool ftp is not enabled by the policy");
    assertDenied(
      call("gmail", "messages.trash", ["gmail:read"], null),
      "action messages.trash of tool gmail is not on the policy's allow-list",
    );
    assertDenied(
      token("gmail", ["gmail:send"]),
      "scope gmail:send is sensitive: state an intent of at least 10 characters",
    );
  });

  test("OpenAI model list and token cap by tier", () => {
    assertDenied(
      call("openai", "chat.completions.create", ["openai:chat"], { model: "gpt-4o" }),
      "model gpt-4o is not allowed for tier default",
    );
    assertDenied(
      call("openai", "chat.completions.create", ["openai:chat"], { model: "gpt-4o-mini", max_tokens: 5000 }),
      "max_tokens must be a number no greater than 4096 for tier default",
    );
    assertAllowed(
      call(
        "openai",
        "chat.completions.create",
        ["openai:chat"],
        { model: "gpt-4o", max_tokens: 5000 },
        { agent: agent({ tier: "premium" }) },
      ),
    );
  });

  test("Gmail recipients and HTTP hosts, with subdomain matching", () => {
    const outsider = engine.decide(
      call("gmail", "messages.send", ["gmail:send"], { to: ["x@evilexample.com"] }),
    );
    assert.equal(outsider.allow, false);
    assert.deepEqual(outsider.approval, {
      reason: "recipient domain evilexample.com is outside the agent's allowed domains",
    });
    assertDenied(
      call("http", "fetch", ["http:fetch"], { url: "https://evilexample.com/" }),
      "host evilexample.com is not on the allow-list",
    );
    assertDenied(
      call("http", "fetch", ["http:fetch"], { url: "https://example.com@evil.test/" }),
      "host evil.test is not on the allow-list",
    );
    assertDenied(
      call("http", "fetch", ["http:fetch"], { url: "https://internal.example.com/" }),
      "host internal.example.com is blocked",
    );
    assertAllowed(call("http", "fetch", ["http:fetch"], { url: "https://api.example.com/v1" }));
  });

  test("request size, roles, time windows and the TTL obligation", () => {
    assertDenied(
      call("serpapi", "search", ["serpapi:search"], null, {
        request: {
          method: "GET",
          path: "/search.json",
          query: {},
          // Chunked: no content-length, only the size the gateway counted.
          headers: { "transfer-encoding": "chunked" },
          size: 20000,
          body: null,
        },
      }),
      "the request body of 20000 bytes exceeds the limit of 16384 bytes for tool serpapi",
    );
    const mailer = agent({ metadata: { role: "mailer" } });
    assertDenied(
      token("serpapi", ["serpapi:search"], { agent: mailer }),
      "role mailer may not use tool serpapi",
    );
    assert.deepEqual(engine.decide(token("openai", ["openai:chat"], { agent: mailer })).obligations, {
      max_ttl_seconds: 60,
    });
    assert.deepEqual(engine.decide(token("gmail", ["gmail:read"])).obligations, { max_ttl_seconds: 120 });

    const office = agent({ metadata: { role: "office-hours" } });
    assertAllowed(token("openai", ["openai:chat"], { agent: office })); // Monday 11:00 in Berlin
    const sunday = { now: "2026-11-22T10:00:00.000Z", unix: 1795341600 };
    assertDenied(
      token("openai", ["openai:chat"], { agent: office, time: sunday }),
      "role office-hours may act only on Monday, Tuesday, Wednesday, Thursday, Friday from 08:00 to 19:00 (Europe/Berlin)",
    );
  });
});
