import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuditEvent, AuditRecord, RecordBatch, RecordStore } from "../store/types.js";
import { createRecordWriter } from "./record-writer.js";

const event = (n: number): AuditEvent => ({
  time: "2026-01-01T00:00:00.000Z",
  actor: "agent:a",
  action: "decision.call",
  target: `t${n}`,
  requestId: `r${n}`,
  traceId: null,
  details: { n },
});

/** Chains events like a real store, and remembers each transaction's batch. */
function fakeStore(fail?: (batch: RecordBatch) => boolean) {
  const batches: RecordBatch[] = [];
  let seq = 0;
  const store: RecordStore = {
    async write(batch) {
      batches.push(batch);
      if (fail?.(batch)) throw new Error("disk full");
      return batch.audit.map((e): AuditRecord => ({ ...e, seq: ++seq, prevHash: "p", hash: `h${seq}` }));
    },
  };
  return { store, batches };
}

describe("record writer (group commit)", () => {
  it("writes everything queued in one turn as one transaction and hands each caller its own records", async () => {
    const { store, batches } = fakeStore();
    const writer = createRecordWriter(store);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        writer.write({
          decision: { decisionId: `d${n}` } as never,
          audit: n % 5 === 0 ? [event(n), event(n + 1000)] : [event(n)],
        }),
      ),
    );
    assert.equal(batches.length, 1);
    assert.equal(batches[0]?.decisions.length, 50);
    assert.deepEqual(
      results[5]?.map((r) => r.target),
      ["t5", "t1005"],
    );
    assert.deepEqual(
      results[6]?.map((r) => r.target),
      ["t6"],
    );
  });

  it("does not resolve before its batch commits, and batches what arrives during a write", async () => {
    let release: () => void = () => {};
    const calls: RecordBatch[] = [];
    const store: RecordStore = {
      write(batch) {
        calls.push(batch);
        return new Promise((resolve) => {
          release = () => resolve(batch.audit.map((e, i) => ({ ...e, seq: i, prevHash: "", hash: "" })));
        });
      },
    };
    const writer = createRecordWriter(store);
    let firstDone = false;
    const first = writer.write({ audit: [event(1)] }).then(() => {
      firstDone = true;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(calls.length, 1);
    const later = [writer.write({ audit: [event(2)] }), writer.write({ audit: [event(3)] })];
    await new Promise((r) => setImmediate(r));
    assert.equal(firstDone, false, "resolved before its commit");
    assert.equal(calls.length, 1, "a second transaction started while the first was open");
    release();
    await first;
    await new Promise((r) => setImmediate(r));
    assert.equal(calls.length, 2);
    assert.equal(calls[1]?.audit.length, 2);
    release();
    await Promise.all(later);
  });

  it("fails every caller of a failed batch, and later batches still run", async () => {
    const { store } = fakeStore((batch) => batch.audit.some((e) => e.target === "t1"));
    const writer = createRecordWriter(store);
    const failed = [writer.write({ audit: [event(1)] }), writer.write({ audit: [event(2)] })];
    for (const p of failed) await assert.rejects(p, /disk full/);
    assert.equal((await writer.write({ audit: [event(3)] }))[0]?.target, "t3");
  });

  it("caps a batch at maxBatch, and flush waits for everything queued", async () => {
    const { store, batches } = fakeStore();
    const writer = createRecordWriter(store, { maxBatch: 4 });
    for (let n = 0; n < 10; n++) void writer.write({ audit: [event(n)] });
    await writer.flush();
    assert.deepEqual(
      batches.map((b) => b.audit.length),
      [4, 4, 2],
    );
    await writer.flush();
    assert.throws(() => createRecordWriter(store, { maxBatch: 0 }), RangeError);
  });
});
