import assert from "node:assert/strict";
import { test } from "node:test";
import { cacheKey, createResponseCache } from "./response-cache.js";

const answer = (text: string, status = 200) => ({
  status,
  headers: { "content-type": "text/plain" },
  body: Buffer.from(text),
});

test("entries expire after the TTL; only 2xx is stored", () => {
  let now = 1_000;
  const cache = createResponseCache({ ttlSeconds: 10, now: () => now });
  cache.set("a", answer("one"));
  cache.set("b", answer("err", 500));
  assert.equal(cache.get("a")?.body.toString(), "one");
  assert.equal(cache.get("b"), undefined);
  now += 10_000;
  assert.equal(cache.get("a"), undefined);
  assert.equal(cache.size, 0);
});

test("the oldest entries go first when a bound is reached", () => {
  const cache = createResponseCache({ ttlSeconds: 60, maxEntries: 2, maxBytes: 10 });
  cache.set("a", answer("1234"));
  cache.set("b", answer("5678"));
  cache.set("c", answer("9"));
  assert.equal(cache.get("a"), undefined);
  assert.equal(cache.get("b")?.body.toString(), "5678");
  cache.set("d", answer("123456789")); // 1 + 9 bytes fits exactly: b goes for the entry bound only
  assert.equal(cache.get("b"), undefined);
  assert.equal(cache.get("c")?.body.toString(), "9");
  cache.set("f", answer("12")); // 9 + 2 > 10 bytes: the oldest (c) goes, and d too for the byte bound
  assert.equal(cache.get("c"), undefined);
  assert.equal(cache.get("d"), undefined);
  assert.equal(cache.get("f")?.body.toString(), "12");
  cache.set("e", answer("this body is larger than the byte bound"));
  assert.equal(cache.get("e"), undefined);
});

test("keys separate agents and ignore query order", () => {
  const base = { agentId: "a", tool: "serpapi", method: "GET", path: "/search.json" };
  const k1 = cacheKey({
    ...base,
    query: [
      ["q", "x"],
      ["num", "2"],
    ],
  });
  assert.equal(
    k1,
    cacheKey({
      ...base,
      query: [
        ["num", "2"],
        ["q", "x"],
      ],
    }),
  );
  assert.notEqual(
    k1,
    cacheKey({
      ...base,
      agentId: "b",
      query: [
        ["q", "x"],
        ["num", "2"],
      ],
    }),
  );
  assert.notEqual(
    k1,
    cacheKey({
      ...base,
      query: [
        ["q", "y"],
        ["num", "2"],
      ],
    }),
  );
});

test("options are validated at creation", () => {
  assert.throws(() => createResponseCache({ ttlSeconds: -1 }), RangeError);
  assert.throws(() => createResponseCache({ ttlSeconds: 1, maxEntries: 0 }), RangeError);
});
