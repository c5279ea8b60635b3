import assert from "node:assert/strict";
import { text } from "node:stream/consumers";
import { describe, it } from "node:test";
import { readBounded, rewriteSse } from "./upstream.js";

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

describe("bounded upstream answers", () => {
  it("fails an SSE event that never ends past the bound, instead of holding it", async () => {
    const out = rewriteSse(
      streamOf("data: ", "x".repeat(600), "y".repeat(600)) as never,
      async (m) => m,
      undefined,
      1000,
    );
    await assert.rejects(text(out), /too large/);
  });

  it("drops the events rewrite returns null for", async () => {
    const ping = { jsonrpc: "2.0", method: "notifications/tools/list_changed" };
    const answer = { jsonrpc: "2.0", id: 1, result: {} };
    const out = rewriteSse(
      streamOf(`data: ${JSON.stringify(ping)}\n\ndata: ${JSON.stringify(answer)}\n\n`) as never,
      async (m) => ("method" in m ? null : m),
    );
    assert.equal(await text(out), `data: ${JSON.stringify(answer)}\n\n`);
  });

  it("reads a whole answer only up to the bound", async () => {
    const small = await readBounded(new Response("12345"), 5);
    assert.equal(small.toString(), "12345");
    await assert.rejects(readBounded(new Response("123456"), 5), /too large/);
    await assert.rejects(
      readBounded(new Response("1", { headers: { "content-length": "999999999" } }), 5),
      /too large/,
    );
  });
});
