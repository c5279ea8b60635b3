import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { McpRequest } from "../mcp/mcp-request.js";
import { createToolPins, memoryToolPinRows } from "../mcp/tool-pins.js";
import { answerRewriter } from "./forward-mcp.js";

function callRequest(id: string | number): McpRequest {
  return {
    server: { name: "repo", url: "http://127.0.0.1:1/mcp", credential: null, source: "config" },
    message: { jsonrpc: "2.0", id, method: "tools/call", params: { name: "read_file", arguments: {} } },
    method: "tools/call",
    target: { kind: "tool", name: "read_file", decide: "call", body: {} },
    toolName: "read_file",
    session: null,
  };
}

const pins = createToolPins(memoryToolPinRows());
const obligations = { redact: ["/structuredContent/token"], block_patterns: ["ghp_[a-z0-9]+"] };

describe("answerRewriter (a hostile server's answers)", () => {
  it("filters the answer however its id is spelled, and gives it the agent's id", async () => {
    const rewrite = answerRewriter(callRequest(1), pins, obligations, { failed: false });
    const answer = await rewrite({
      jsonrpc: "2.0",
      id: "1",
      result: { content: [], structuredContent: { token: "t", text: "ghp_abc" } },
    });
    assert.deepEqual(answer, {
      jsonrpc: "2.0",
      id: 1,
      result: { content: [], structuredContent: { text: "[blocked]" } },
    });
  });

  it("drops answers to other requests, which the client could match to one of its own, unfiltered", async () => {
    const rewrite = answerRewriter(callRequest(1), pins, obligations, { failed: false });
    assert.equal(
      await rewrite({ jsonrpc: "2.0", id: 2, result: { tools: [{ name: "delete_repo" }] } }),
      null,
    );
    // On the event stream (no request of its own), no answer passes: it could not be filtered.
    const stream = answerRewriter(
      { ...callRequest(1), message: null, method: null, target: null },
      pins,
      undefined,
      {
        failed: false,
      },
    );
    assert.equal(await stream({ jsonrpc: "2.0", id: 1, result: {} }), null);
  });

  it("blocks patterns in notifications and errors, and marks errors and isError results as failed", async () => {
    const outcome = { failed: false };
    const rewrite = answerRewriter(callRequest(7), pins, obligations, outcome);
    const note = await rewrite({
      jsonrpc: "2.0",
      method: "notifications/message",
      params: { level: "info", data: "ghp_x1" },
    });
    assert.deepEqual(note, {
      jsonrpc: "2.0",
      method: "notifications/message",
      params: { level: "info", data: "[blocked]" },
    });
    const error = await rewrite({ jsonrpc: "2.0", id: 7, error: { code: -1, message: "leaked ghp_zz9" } });
    assert.deepEqual(error, { jsonrpc: "2.0", id: 7, error: { code: -1, message: "leaked [blocked]" } });
    assert.equal(outcome.failed, true);
    const isError = { failed: false };
    await answerRewriter(
      callRequest(8),
      pins,
      undefined,
      isError,
    )({ jsonrpc: "2.0", id: 8, result: { content: [], isError: true } });
    assert.equal(isError.failed, true);
  });
});
