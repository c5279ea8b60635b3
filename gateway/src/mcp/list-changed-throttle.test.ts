import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ListChangedThrottle } from "./list-changed-throttle.js";

const changed = (kind: string) => ({ jsonrpc: "2.0" as const, method: `notifications/${kind}/list_changed` });

describe("ListChangedThrottle", () => {
  it("passes one list_changed of each kind per session per interval, and everything else", () => {
    let now = 0;
    const throttle = new ListChangedThrottle(1000, () => now);
    assert.equal(throttle.passes("s1", changed("tools")), true);
    assert.equal(throttle.passes("s1", changed("tools")), false);
    assert.equal(throttle.passes("s1", changed("prompts")), true);
    assert.equal(throttle.passes("s2", changed("tools")), true);
    const progress = {
      jsonrpc: "2.0" as const,
      method: "notifications/progress",
      params: { progressToken: 1, progress: 1 },
    };
    assert.equal(throttle.passes("s1", progress), true);
    assert.equal(throttle.passes("s1", progress), true);
    now = 999;
    assert.equal(throttle.passes("s1", changed("tools")), false);
    now = 1000;
    assert.equal(throttle.passes("s1", changed("tools")), true);
  });

  it("keeps a bounded table", () => {
    const throttle = new ListChangedThrottle(1000, () => 0, 2);
    throttle.passes("a", changed("tools"));
    throttle.passes("b", changed("tools"));
    throttle.passes("c", changed("tools"));
    // "a" was forgotten first: it passes again.
    assert.equal(throttle.passes("a", changed("tools")), true);
    assert.equal(throttle.passes("c", changed("tools")), false);
  });
});
