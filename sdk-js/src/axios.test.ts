import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import axios from "axios";
import { signAxiosRequests } from "./axios.js";
import { generateKeyPair } from "./keys.js";
import { type SignatureServer, startSignatureServer } from "./testing/signature-server.js";

const key = await generateKeyPair();
let server: SignatureServer;
before(async () => {
  server = await startSignatureServer(key.publicKey);
});
after(() => server.close());

describe("signAxiosRequests", () => {
  it("signs the final URL (baseURL + url + params) of a GET", async () => {
    const instance = axios.create({ baseURL: `${server.url}/v1/tools/serpapi` });
    signAxiosRequests(instance, key);
    const response = await instance.get("/search.json", { params: { q: "agent gateway", n: 2 } });
    assert.deepEqual(response.data, { ok: true });
    const seen = server.seen.at(-1)!;
    assert.equal(seen.verdict, "ok");
    assert.equal(seen.target, "/v1/tools/serpapi/search.json?q=agent+gateway&n=2");
    assert.deepEqual(seen.components, ["@method", "@authority", "@path", "@query"]);
  });

  it("serializes an object body itself, signs its digest and sends exactly those bytes", async () => {
    const instance = axios.create({ baseURL: server.url, headers: { authorization: "Bearer t" } });
    signAxiosRequests(instance, key);
    await instance.post("/v1/tokens", { tool: "openai", scopes: ["openai:chat"] });
    const seen = server.seen.at(-1)!;
    assert.equal(seen.verdict, "ok");
    assert.equal(new TextDecoder().decode(seen.body), '{"tool":"openai","scopes":["openai:chat"]}');
    assert.match(String(seen.headers["content-type"]), /^application\/json/);
    assert.deepEqual(seen.components, ["@method", "@authority", "@path", "content-digest", "authorization"]);
  });

  it("keeps a JSON string body byte for byte (axios would trim it)", async () => {
    const instance = axios.create({ baseURL: server.url });
    signAxiosRequests(instance, key);
    await instance.post("/v1/echo", ' {"a":1}\n', { headers: { "content-type": "application/json" } });
    const seen = server.seen.at(-1)!;
    assert.equal(seen.verdict, "ok");
    assert.equal(new TextDecoder().decode(seen.body), ' {"a":1}\n');
  });

  it("signs URLSearchParams bodies as form data", async () => {
    const instance = axios.create({ baseURL: server.url });
    signAxiosRequests(instance, key);
    await instance.post("/form", new URLSearchParams({ a: "1 2" }));
    const seen = server.seen.at(-1)!;
    assert.equal(seen.verdict, "ok");
    assert.equal(new TextDecoder().decode(seen.body), "a=1+2");
  });

  it("refuses bodies it cannot sign byte-exactly", async () => {
    const instance = axios.create({ baseURL: server.url });
    signAxiosRequests(instance, key);
    await assert.rejects(instance.post("/form", new FormData()), TypeError);
  });
});
