import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { randomBase64Url, randomHex } from "./random-pool.js";

describe("random pool", () => {
  it("hands out strings of the asked length, never the same bytes twice across refills", () => {
    const seen = new Set<string>();
    // 16 bytes × 1000 spans about four refills of the 4 KiB pool.
    for (let i = 0; i < 1000; i++) {
      const hex = randomHex(16);
      assert.match(hex, /^[0-9a-f]{32}$/);
      assert.ok(!seen.has(hex), "a 128-bit value repeated");
      seen.add(hex);
    }
    assert.match(randomBase64Url(12), /^[A-Za-z0-9_-]{16}$/);
    assert.throws(() => randomHex(5000), RangeError);
  });
});
