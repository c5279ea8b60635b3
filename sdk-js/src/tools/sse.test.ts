import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { utf8 } from "../encoding.js";
import { parseServerSentEvents, type ServerSentEvent } from "./sse.js";

/** A stream that delivers the given pieces one by one and records whether it was cancelled. */
function streamOf(pieces: Array<string | Uint8Array>) {
  const state = { cancelled: false };
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const piece = pieces[i++];
      if (piece === undefined) controller.close();
      else controller.enqueue(typeof piece === "string" ? utf8(piece) : piece);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

async function collect(pieces: Array<string | Uint8Array>): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of parseServerSentEvents(streamOf(pieces).stream)) events.push(event);
  return events;
}

describe("parseServerSentEvents", () => {
  it("reads data events split anywhere, with LF, CRLF (even split across chunks) and CR line ends", async () => {
    const events = await collect([
      'data: {"a":',
      "1}\n",
      "\n",
      "data: two\r",
      "\n\r\n",
      "data: three\r\rdata:four\n\n",
    ]);
    assert.deepEqual(
      events.map((e) => e.data),
      ['{"a":1}', "two", "three", "four"],
    );
  });

  it("joins multi-line data, keeps event names and ids, skips comments and empty events", async () => {
    const events = await collect([
      ": keep-alive\n\n",
      "event: delta\nid: 7\ndata: a\ndata:  b\n\n",
      "retry: 10\n\n",
    ]);
    assert.deepEqual(events, [{ event: "delta", data: "a\n b", id: "7" }]);
  });

  it("decodes UTF-8 split between chunks and drops an unterminated last event", async () => {
    const bytes = utf8("data: grüße\n\ndata: cut");
    const split = bytes.indexOf(0xc3) + 1; // inside "ü"
    const events = await collect([bytes.slice(0, split), bytes.slice(split)]);
    assert.deepEqual(
      events.map((e) => e.data),
      ["grüße"],
    );
  });

  it("cancels the stream when the reader stops early", async () => {
    const { stream, state } = streamOf(["data: 1\n\n", "data: 2\n\n", "data: 3\n\n"]);
    for await (const event of parseServerSentEvents(stream)) {
      assert.equal(event.data, "1");
      break;
    }
    assert.equal(state.cancelled, true);
  });
});
