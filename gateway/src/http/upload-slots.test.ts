import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createUploadSlots } from "./upload-slots.js";

describe("createUploadSlots", () => {
  it("bounds slots in all and per caller; a release frees exactly one, once", () => {
    const slots = createUploadSlots({ max: 3, maxPerCaller: 2 });
    const a1 = slots.acquire("a");
    const a2 = slots.acquire("a");
    assert.ok(a1 && a2);
    assert.equal(slots.acquire("a"), null, "per-caller bound");
    const b1 = slots.acquire("b");
    assert.ok(b1);
    assert.equal(slots.acquire("c"), null, "global bound");
    a1();
    a1();
    assert.equal(slots.inUse(), 2, "a second release of one slot frees nothing more");
    assert.ok(slots.acquire("c"));
    assert.equal(slots.acquire("a"), null);
  });

  it("validates its bounds", () => {
    assert.throws(() => createUploadSlots({ max: 0, maxPerCaller: 1 }), RangeError);
    assert.throws(() => createUploadSlots({ max: 1, maxPerCaller: 1.5 }), RangeError);
  });
});
