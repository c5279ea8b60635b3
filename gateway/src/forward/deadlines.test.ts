import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { createDeadlines } from "./deadlines.js";

/** A clock the test moves; the queue's one timer still runs on real time (a few ms here). */
function fakeClock() {
  let value = 0;
  return {
    now: () => value,
    set(ms: number) {
      value = ms;
    },
  };
}

describe("createDeadlines", { timeout: 10_000 }, () => {
  // The queue's timer is unref'd (it must never keep a process alive); this keeps the test's alive.
  let keepAlive: NodeJS.Timeout;
  before(() => {
    keepAlive = setInterval(() => {}, 1000);
  });
  after(() => clearInterval(keepAlive));

  it("aborts a call whose deadline passed with a TimeoutError, and not one that finished in time", async () => {
    const clock = fakeClock();
    const deadlines = createDeadlines(5, clock.now);
    const finished = new AbortController();
    const late = new AbortController();
    deadlines.start(finished).clear();
    deadlines.start(late);
    clock.set(5);
    await once(late.signal, "abort");
    assert.equal((late.signal.reason as DOMException).name, "TimeoutError");
    assert.equal(finished.signal.aborted, false);
  });

  it("aborts in deadline order, each only once its own deadline has passed", async () => {
    const clock = fakeClock();
    const deadlines = createDeadlines(5, clock.now);
    const first = new AbortController();
    deadlines.start(first);
    clock.set(3);
    const second = new AbortController();
    deadlines.start(second); // due at 8
    clock.set(5);
    await once(first.signal, "abort");
    assert.equal(second.signal.aborted, false, "the second call's deadline has not passed");
    clock.set(8);
    await once(second.signal, "abort");
  });

  it("keeps no cleared calls queued behind it, and starts again after going idle", async () => {
    const clock = fakeClock();
    const deadlines = createDeadlines(5, clock.now);
    for (let i = 0; i < 5000; i++) deadlines.start(new AbortController()).clear();
    clock.set(100);
    const after = new AbortController();
    deadlines.start(after);
    clock.set(105);
    await once(after.signal, "abort");
  });

  it("refuses a length that is not a positive integer", () => {
    assert.throws(() => createDeadlines(0), RangeError);
    assert.throws(() => createDeadlines(1.5), RangeError);
  });
});
