// Drift test: the gateway's error table and tool catalogue are the protocol's
// (protocol/protocol.json, the source the SDKs are generated from), value for value.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ERROR_TABLE } from "./errors.js";
import { TOOL_CATALOG } from "./tools/catalog.js";

const protocol = JSON.parse(readFileSync(new URL("../../protocol/protocol.json", import.meta.url), "utf8"));

describe("the gateway speaks the protocol's tables", () => {
  it("error codes, statuses and titles", () => {
    assert.deepEqual(ERROR_TABLE, protocol.errors);
  });

  it("tools, actions, scopes and paths", () => {
    const catalogue = TOOL_CATALOG.map((tool) => ({
      ...tool,
      actions: tool.actions.map((action) => ({ ...action, path: action.path.source.replaceAll("\\/", "/") })),
    }));
    // clientBasePath and clientOrigin are for the SDKs' official-client helpers, not the gateway's catalogue.
    const expected = protocol.tools.map(
      ({ clientBasePath: _, clientOrigin: __, ...tool }: Record<string, unknown>) => tool,
    );
    assert.deepEqual(catalogue, expected);
  });

  it("every tool name follows the protocol's name rule, and every scope is tool:something", () => {
    const name = new RegExp(protocol.toolNamePattern);
    for (const tool of TOOL_CATALOG) {
      assert.match(tool.name, name);
      for (const action of tool.actions) assert.ok(action.scope.startsWith(`${tool.name}:`), action.scope);
    }
  });

  it("the codes a client retries a token on are token refusals the gateway can send", () => {
    for (const code of protocol.tokenRetryCodes) {
      assert.equal(ERROR_TABLE[code as keyof typeof ERROR_TABLE]?.status, 401, code);
    }
  });
});
