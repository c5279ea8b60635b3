import assert from "node:assert/strict";
import { text } from "node:stream/consumers";
import { describe, it } from "node:test";
import { rewriteSse } from "./upstream.js";

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
}

describe("rewriteSse", () => {
  it("rewrites each message, keeps event ids, passes events split across chunks", async () => {
    const notification = { jsonrpc: "2.0", method: "notifications/progress", params: { progress: 1 } };
    const answer = { jsonrpc: "2.0", id: 1, result: { secret: "x", ok: true } };
    const out = rewriteSse(
      streamOf(
        `id: e1\nevent: message\ndata: ${JSON.stringify(notification)}\n\n`,
        `id: e2\ndata: ${JSON.stringify(answer).slice(0, 10)}`,
        `${JSON.stringify(answer).slice(10)}\n\n`,
      ) as never,
      async (message) =>
        "result" in message
          ? { ...message, result: { ok: (message.result as { ok: boolean }).ok } }
          : message,
    );
    const events = (await text(out)).split("\n\n").filter(Boolean);
    assert.equal(events.length, 2);
    assert.equal(events[0], `id: e1\nevent: message\ndata: ${JSON.stringify(notification)}`);
    assert.equal(
      events[1],
      `id: e2\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: 1, result: { ok: true } })}`,
    );
  });

  it("fails the stream on a message that is not JSON-RPC, rather than passing it unfiltered", async () => {
    const out = rewriteSse(streamOf("data: {not json}\n\n") as never, async (m) => m);
    await assert.rejects(text(out), /malformed JSON/);
  });
});
