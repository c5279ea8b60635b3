import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { generateKeyPair } from "./keys.js";
import { createSignedFetch } from "./signed-fetch.js";
import { type SignatureServer, startSignatureServer } from "./testing/signature-server.js";

const key = await generateKeyPair();
let server: SignatureServer;

before(async () => {
  server = await startSignatureServer(key.publicKey, (seen) =>
    seen.target.endsWith("/chat/completions")
      ? {
          body: JSON.stringify({
            id: "chatcmpl-1",
            object: "chat.completion",
            created: 1,
            model: "gpt-4o-mini",
            choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
          }),
        }
      : { body: '{"ok":true}' },
  );
});
after(() => server.close());

describe("createSignedFetch", () => {
  it("signs a GET without query: @method, @authority, @path; fresh nonce, 60 s lifetime", async () => {
    const signedFetch = createSignedFetch(key);
    const response = await signedFetch(`${server.url}/v1/whoami`);
    assert.equal(response.status, 200);
    const seen = server.seen.at(-1)!;
    assert.equal(seen.verdict, "ok");
    assert.deepEqual(seen.components, ["@method", "@authority", "@path"]);
    assert.equal(seen.params.keyid, key.kid);
    assert.equal(seen.params.alg, "ed25519");
    assert.equal(seen.params.expires! - seen.params.created!, 60);
    assert.match(seen.params.nonce!, /^[A-Za-z0-9_-]{43}$/);
    await signedFetch(`${server.url}/v1/whoami`);
    assert.notEqual(server.seen.at(-1)!.params.nonce, seen.params.nonce);
  });

  it("covers @query, content-digest and authorization when present, and sends the signed bytes", async () => {
    const signedFetch = createSignedFetch(key, { baseUrl: `${server.url}/v1/tools/x` });
    await signedFetch("/search?q=a%20b&x=%C3%A9", {
      method: "POST",
      headers: { authorization: "Bearer tok", "content-type": "application/json" },
      body: '{"hello": "world"}',
    });
    const seen = server.seen.at(-1)!;
    assert.equal(seen.verdict, "ok");
    assert.equal(seen.target, "/v1/tools/x/search?q=a%20b&x=%C3%A9");
    assert.deepEqual(seen.components, [
      "@method",
      "@authority",
      "@path",
      "@query",
      "content-digest",
      "authorization",
    ]);
    assert.equal(seen.headers["content-digest"], "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
    assert.equal(new TextDecoder().decode(seen.body), '{"hello": "world"}');
  });

  it("accepts a Request object and byte bodies", async () => {
    const signedFetch = createSignedFetch(key);
    const bytes = Uint8Array.from([0, 1, 2, 255]);
    await signedFetch(new Request(`${server.url}/upload`, { method: "PUT", body: bytes }));
    const seen = server.seen.at(-1)!;
    assert.equal(seen.verdict, "ok");
    assert.deepEqual([...seen.body], [0, 1, 2, 255]);
  });

  it("works as the fetch of the official openai client", async () => {
    const client = new OpenAI({
      apiKey: "tool-token",
      baseURL: `${server.url}/v1/tools/openai/v1`,
      fetch: createSignedFetch(key),
      maxRetries: 0,
    });
    const completion = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal(completion.choices[0]?.message.content, "hi");
    const seen = server.seen.at(-1)!;
    assert.equal(seen.verdict, "ok");
    assert.equal(seen.target, "/v1/tools/openai/v1/chat/completions");
    assert.ok(seen.components.includes("authorization"));
    assert.ok(seen.components.includes("content-digest"));
  });

  it("refuses a relative URL without baseUrl and a bad key when created", async () => {
    await assert.rejects(createSignedFetch(key)("/v1/whoami"), TypeError);
    assert.throws(() => createSignedFetch({ secretKey: new Uint8Array(3), kid: "k" }), TypeError);
  });
});
