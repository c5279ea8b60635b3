import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  type Checkpoint,
  loadCheckpointSigner,
  openCheckpointLog,
  verifyCheckpoints,
} from "./checkpoints.js";

const dir = () => mkdtempSync(join(tmpdir(), "agentgw-checkpoints-"));

/** A chain of `n` records whose hashes a test can change. */
function chainOf(hashes: Map<number, string>) {
  return {
    hashAt: async (seq: number) => hashes.get(seq) ?? null,
    bounds: async () => ({
      newest: Math.max(0, ...hashes.keys()),
      oldest: hashes.size ? Math.min(...hashes.keys()) : 1,
    }),
  };
}

describe("audit checkpoints", () => {
  it("the key file is made once (mode 0600) and read back: same key, same kid", () => {
    const file = join(dir(), "key.json");
    const first = loadCheckpointSigner(file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(loadCheckpointSigner(file).publicKey, first.publicKey);
    assert.match(first.publicKey.kid, /^[A-Za-z0-9_-]{43}$/);
  });

  it("verify passes an untouched chain and detects rewriting, truncation, early pruning and forgery", async () => {
    const signer = loadCheckpointSigner(join(dir(), "key.json"));
    const hashes = new Map([1, 2, 3, 4, 5].map((seq) => [seq, `h${seq}`]));
    const at = new Date("2026-11-27T12:00:00Z");
    const checkpoints: Checkpoint[] = [
      signer.sign({ seq: 3, hash: "h3" }, at),
      signer.sign({ seq: 5, hash: "h5" }, at),
    ];
    assert.deepEqual(await verifyCheckpoints(checkpoints, signer.publicKey, chainOf(hashes)), {
      ok: true,
      checked: 2,
      latestSeq: 5,
    });

    const rewritten = new Map(hashes).set(3, "other");
    const r = await verifyCheckpoints(checkpoints, signer.publicKey, chainOf(rewritten));
    assert.equal(r.ok, false);
    assert.deepEqual(r.firstBad?.seq, 3);
    assert.match(r.firstBad!.reason, /rewritten/);

    const truncated = new Map([1, 2, 3, 4].map((seq) => [seq, `h${seq}`]));
    const t = await verifyCheckpoints(checkpoints, signer.publicKey, chainOf(truncated));
    assert.equal(t.ok, false);
    assert.match(t.firstBad!.reason, /ends at seq 4.*removed/);

    // Records pruned from the start: fine when retention allows it, refused when it could not have.
    const pruned = new Map([4, 5].map((seq) => [seq, `h${seq}`]));
    assert.equal((await verifyCheckpoints(checkpoints, signer.publicKey, chainOf(pruned))).ok, true);
    const early = await verifyCheckpoints(
      checkpoints,
      signer.publicKey,
      chainOf(pruned),
      "2026-11-01T00:00:00Z",
    );
    assert.match(early.firstBad!.reason, /before their retention ended/);

    const forged = { ...checkpoints[1]!, hash: "h5-forged" };
    const f = await verifyCheckpoints(
      [forged],
      signer.publicKey,
      chainOf(new Map(hashes).set(5, "h5-forged")),
    );
    assert.match(f.firstBad!.reason, /signature does not verify/);
    const otherKey = loadCheckpointSigner(join(dir(), "other.json")).publicKey;
    assert.equal((await verifyCheckpoints(checkpoints, otherKey, chainOf(hashes))).ok, false);
  });

  it("the log appends JSON lines and skips a torn last line", () => {
    const file = join(dir(), "checkpoints.jsonl");
    const log = openCheckpointLog(file);
    const signer = loadCheckpointSigner(join(dir(), "key.json"));
    log.append(signer.sign({ seq: 1, hash: "a" }, new Date()));
    log.append(signer.sign({ seq: 2, hash: "b" }, new Date()));
    assert.deepEqual(
      log.all().map((c) => c.seq),
      [1, 2],
    );
    assert.equal(readFileSync(file, "utf8").split("\n").length, 3);
  });
});
