import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { compileObligations } from "./obligations.js";
import { createSseStream } from "./sse-stream.js";

async function run(chunks: string[], obligations = {}, secrets: string[] = []) {
  const sse = createSseStream(compileObligations(obligations), secrets);
  Readable.from(chunks.map((c) => Buffer.from(c))).pipe(sse.transform);
  let out = "";
  for await (const chunk of sse.transform) out += String(chunk);
  return { out, usage: await sse.usage };
}

const event = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;

test("without obligations bytes pass unchanged and usage comes from the last chunk", async () => {
  const input = [
    event({ choices: [{ delta: { content: "hi" } }] }),
    'data: {"usage":{"total_',
    'tokens":7}}\n\n',
    "data: [DONE]\n\n",
  ];
  const { out, usage } = await run(input);
  assert.equal(out, input.join(""));
  assert.deepEqual(usage, { tokens: 7 });
});

test("responses API usage is read from response.completed", async () => {
  const { usage } = await run([
    `event: response.completed\n${event({ type: "response.completed", response: { usage: { input_tokens: 2, output_tokens: 3, total_tokens: 5 } } })}`,
  ]);
  assert.deepEqual(usage, { tokens: 5 });
});

test("obligations rewrite each event, keep event lines, and split events reassemble first", async () => {
  const { out } = await run(
    ['event: delta\ndata: {"id":"x","text":"card 4111', '111111111111"}\r\n\r\n', "data: [DONE]\n\n"],
    { redact: ["/id"], block_patterns: ["4[0-9]{15}"] },
  );
  assert.equal(out, 'event: delta\ndata: {"text":"card [blocked]"}\n\ndata: [DONE]\n\n');
});

test("a match split across two events is not caught (documented)", async () => {
  const { out } = await run([event({ t: "4111 1111" }), event({ t: " 1111 1111" })], {
    block_patterns: ["4111 1111 1111 1111"],
  });
  assert.match(out, /4111 1111/);
});

test("an upstream secret in a stream is scrubbed, even split across chunks; other bytes are kept", async () => {
  const { out } = await run(
    ['data: {"error":"bad key sk-upstr', 'eam-secret"}\r\n\r\n', "event: x\ndata: [DONE]\n\n"],
    {},
    ["sk-upstream-secret"],
  );
  assert.equal(out, 'data: {"error":"bad key [redacted]"}\r\n\r\nevent: x\ndata: [DONE]\n\n');
});

test("under redact or truncate, an event whose data is not JSON ends the stream (fail closed)", async () => {
  for (const obligations of [{ redact: ["/secret"] }, { truncate: { "/text": 3 } }]) {
    await assert.rejects(
      run(
        [event({ text: "fine" }), "data: secret=hunter2 not json\n\n", event({ text: "later" })],
        obligations,
      ),
      (error: unknown) => (error as { code?: string }).code === "upstream_error",
    );
  }
  // "[DONE]" is OpenAI's sentinel, not a payload: it passes.
  const { out } = await run([event({ secret: 1, a: 2 }), "data: [DONE]\n\n"], { redact: ["/secret"] });
  assert.equal(out, 'data: {"a":2}\n\ndata: [DONE]\n\n');
});

test("the usage-only chunk the gateway asked for is read but left out; every other byte is kept", async () => {
  const chunks = [
    event({ choices: [{ delta: { content: "hi" } }], usage: null }),
    'data: {"choices":[],"usage":{"total',
    '_tokens":42}}\r\n\r\n',
    ": keep-alive comment\n\n",
    "data: [DONE]\n\n",
  ];
  const sse = createSseStream(null, [], { dropUsageOnlyEvents: true });
  Readable.from(chunks.map((c) => Buffer.from(c))).pipe(sse.transform);
  let out = "";
  for await (const chunk of sse.transform) out += String(chunk);
  assert.equal(out, `${chunks[0]}: keep-alive comment\n\ndata: [DONE]\n\n`);
  assert.deepEqual(await sse.usage, { tokens: 42 });
});
