import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newUuidV7 } from "./ids.js";

describe("newUuidV7", () => {
  it("is an RFC 9562 version 7 UUID carrying the millisecond time", () => {
    const nowMs = Date.UTC(2026, 10, 27, 12, 0, 0, 123);
    const id = newUuidV7(nowMs);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16), nowMs);
  });

  it("sorts by time, and ids of the same millisecond differ", () => {
    const earlier = newUuidV7(1_700_000_000_000);
    const later = newUuidV7(1_700_000_000_001);
    assert.ok(earlier < later);
    const same = new Set(Array.from({ length: 1000 }, () => newUuidV7(1_700_000_000_000)));
    assert.equal(same.size, 1000);
  });
});
