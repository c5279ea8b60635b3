import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type FakeWebsite, startFakeWebsite } from "./fake-website.js";

describe("fake website", () => {
  let fake: FakeWebsite;

  before(async () => {
    fake = await startFakeWebsite({ largePageBytes: 300_000, slowMs: 200 });
  });
  after(() => fake.close());

  it("serves pages and a JSON document", async () => {
    const home = await fetch(`${fake.url}/`);
    assert.match(home.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(await home.text(), /href="\/page"/);
    assert.match(await (await fetch(`${fake.url}/page`)).text(), /Hello from the fake website/);
    assert.deepEqual(
      ((await (await fetch(`${fake.url}/json`)).json()) as { items: number[] }).items,
      [1, 2, 3],
    );
    assert.equal((await fetch(`${fake.url}/missing`)).status, 404);
  });

  it("serves a large page of the configured or requested size", async () => {
    const configured = await fetch(`${fake.url}/large`);
    assert.equal(configured.headers.get("content-length"), "300000");
    assert.equal((await configured.arrayBuffer()).byteLength, 300_000);
    const asked = await fetch(`${fake.url}/large?bytes=1234`);
    assert.equal((await asked.arrayBuffer()).byteLength, 1234);
    assert.equal((await fetch(`${fake.url}/large?bytes=-1`)).status, 400);
  });

  it("answers the slow page only after waiting", async () => {
    const started = Date.now();
    const response = await fetch(`${fake.url}/slow`);
    assert.equal(response.status, 200);
    assert.ok(Date.now() - started >= 190);
    await assert.rejects(
      fetch(`${fake.url}/slow?ms=2000`, { signal: AbortSignal.timeout(100) }),
      /TimeoutError|aborted/i,
    );
  });

  it("redirects with the asked status, and along a chain of hops", async () => {
    for (const status of [301, 302, 307]) {
      const response = await fetch(
        `${fake.url}/redirect?to=${encodeURIComponent("http://example.test/x")}&status=${status}`,
        {
          redirect: "manual",
        },
      );
      assert.equal(response.status, status);
      assert.equal(response.headers.get("location"), "http://example.test/x");
    }
    const followed = await fetch(`${fake.url}/redirect-chain?hops=3`);
    assert.equal(followed.status, 200);
    assert.ok(followed.url.endsWith("/page"));
    assert.equal(
      (await fetch(`${fake.url}/redirect?to=/page&status=200`, { redirect: "manual" })).status,
      400,
    );
  });

  it("echoes the request as JSON", async () => {
    const response = await fetch(`${fake.url}/echo?a=1&b=two`, {
      method: "PUT",
      headers: { "content-type": "application/json", "x-custom": "yes" },
      body: JSON.stringify({ hello: "world" }),
    });
    const echo = (await response.json()) as {
      method: string;
      path: string;
      query: Record<string, string>;
      headers: Record<string, string>;
      body: string;
      json: unknown;
    };
    assert.equal(echo.method, "PUT");
    assert.equal(echo.path, "/echo");
    assert.deepEqual(echo.query, { a: "1", b: "two" });
    assert.equal(echo.headers["x-custom"], "yes");
    assert.equal(echo.body, '{"hello":"world"}');
    assert.deepEqual(echo.json, { hello: "world" });
  });
});
