import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatewayError } from "../errors.js";
import { checkMethod, targetOf } from "./mcp-methods.js";

function refused(fn: () => unknown, jsonRpcCode: number): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof GatewayError);
    assert.equal(error.code, "invalid_request");
    assert.equal(error.extensions.jsonRpcCode, jsonRpcCode);
    return true;
  });
}

describe("checkMethod", () => {
  it("passes MCP's client requests and notifications, refuses others and requests sent as notifications", () => {
    for (const method of ["initialize", "tools/call", "resources/read", "completion/complete"])
      checkMethod(method, false);
    checkMethod("notifications/initialized", true);
    for (const method of ["tasks/result", "tools/delete", "sampling/createMessage", "rpc.discover"])
      refused(() => checkMethod(method, false), -32601);
    refused(() => checkMethod("tools/call", true), -32601);
    refused(() => checkMethod("notifications/initialized", false), -32601);
  });
});

describe("targetOf", () => {
  it("names the tool, prompt or resource a request is about", () => {
    assert.deepEqual(targetOf("tools/call", { name: "read_file", arguments: { path: "a" } }), {
      kind: "tool",
      name: "read_file",
      decide: "call",
      body: { path: "a" },
    });
    assert.deepEqual(targetOf("prompts/get", { name: "p" }), {
      kind: "prompt",
      name: "p",
      decide: "call",
      body: {},
    });
    assert.deepEqual(targetOf("resources/read", { uri: "repo://files/a" }), {
      kind: "resource",
      name: "repo://files/a",
      decide: "call",
      body: { uri: "repo://files/a" },
    });
    assert.equal(targetOf("resources/subscribe", { uri: "repo://x/y" })?.decide, "see");
    assert.deepEqual(
      targetOf("completion/complete", { ref: { type: "ref/resource", uri: "repo://files/{path}" } }),
      {
        kind: "resource",
        name: "repo://files/{path}",
        decide: "see",
        body: { kind: "resource", name: "repo://files/{path}" },
      },
    );
    assert.equal(targetOf("tools/list", {}), null);
  });

  it("refuses malformed params, tool names outside MCP's alphabet and respelled URIs", () => {
    refused(() => targetOf("tools/call", {}), -32602);
    refused(() => targetOf("tools/call", { name: "prompt:x" }), -32602);
    refused(() => targetOf("tools/call", { name: "x".repeat(129) }), -32602);
    refused(() => targetOf("tools/call", { name: "t", arguments: [] }), -32602);
    refused(() => targetOf("prompts/get", { name: 7 }), -32602);
    refused(() => targetOf("completion/complete", { ref: { type: "ref/tool", name: "t" } }), -32602);
    for (const uri of [
      "REPO://secrets/k",
      "repo://secrets/a/../k",
      "not a uri",
      "repo://h/%7e",
      "repo://%73ecrets/k",
    ])
      refused(() => targetOf("resources/read", { uri }), -32602);
  });
});
