// Drift test: the generated tables are exactly what protocol/protocol.json renders, and the
// SDK's behaviour follows them (which codes retry a token, which tool names are accepted).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
// @ts-expect-error: a plain .mjs script without types, imported only by this test
import { loadProtocol, PY_OUT, renderPython, renderTypeScript, TS_OUT } from "../../scripts/gen-protocol.mjs";
import { ERROR_CODES, errorFamily, fromProblem, RateLimitedError } from "./errors.js";
import { ERRORS, TOKEN_RETRY_CODES, TOOLS } from "./generated/protocol.js";
import { toolPrefix } from "./tool-call.js";
import { clientBasePath, scopeFor } from "./tools/catalog.js";

const protocol = loadProtocol();

describe("protocol tables (protocol/protocol.json)", () => {
  it("generated/protocol.ts and the Python SDK's _protocol.py are up to date (npm run generate:protocol)", () => {
    assert.equal(readFileSync(TS_OUT, "utf8"), renderTypeScript(protocol), TS_OUT);
    assert.equal(readFileSync(PY_OUT, "utf8"), renderPython(protocol), PY_OUT);
  });

  it("the generated module holds the JSON's values", () => {
    assert.deepEqual(ERRORS, protocol.errors);
    assert.deepEqual(TOOLS, protocol.tools);
    assert.deepEqual(TOKEN_RETRY_CODES, protocol.tokenRetryCodes);
  });

  it("every code the SDK knows is the protocol's, plus unexpected_response", () => {
    assert.deepEqual(new Set(ERROR_CODES), new Set([...Object.keys(protocol.errors), "unexpected_response"]));
  });

  it("the scope of every catalogue action is found from a concrete path", () => {
    for (const tool of protocol.tools) {
      for (const action of tool.actions) {
        const path = action.path
          .replace(/^\^|\$$/g, "")
          .replace("(?:/upload)?", "")
          .replace("(?:me|[A-Za-z0-9._+-]+(?:@|%40)[A-Za-z0-9.-]+)", "me")
          .replace(/\[[^\]]+\]\{1,128\}/, "abc123")
          .replace(/\(\\\.json\)\?/, ".json");
        assert.equal(
          scopeFor(tool.name, action.method, path),
          action.scope,
          `${tool.name} ${action.name} ${path}`,
        );
      }
    }
    assert.equal(clientBasePath("openai"), "/v1");
    assert.equal(clientBasePath("serpapi"), "");
  });

  it("tool names follow the protocol's pattern (a dotted MCP name included)", () => {
    assert.equal(toolPrefix("openai"), "/v1/tools/openai");
    assert.equal(toolPrefix("mcp.files"), "/v1/tools/mcp.files");
    for (const bad of ["", "OpenAI", "../admin", "a/b", "x".repeat(65), "mcp..x", "_x"]) {
      assert.throws(() => toolPrefix(bad), TypeError, bad);
    }
  });

  it("the rate_limit family (rate_limited and budget_exceeded) is a RateLimitedError with its own code", () => {
    for (const code of Object.keys(protocol.errors).filter(
      (c) => protocol.errors[c].family === "rate_limit",
    )) {
      const error = fromProblem(429, { code }, new Headers({ "retry-after": "3" }));
      assert.ok(error instanceof RateLimitedError, code);
      assert.equal(error.code, code);
      assert.equal(error.retryAfter, 3);
    }
    assert.equal(errorFamily("token_revoked"), "token");
    assert.equal(errorFamily("toString"), undefined);
  });
});
