import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createFileNonceCache } from "./file-nonce-cache.js";
import { createMemoryNonceCache, NonceCacheFullError } from "./nonce-cache.js";

function open(dataDir: string, clock: { ms: number }) {
  const now = () => clock.ms;
  return createFileNonceCache({
    dataDir,
    now,
    front: createMemoryNonceCache({ now, maxEntriesPerOwner: 3 }),
  });
}

describe("createFileNonceCache", () => {
  it("a nonce accepted before a restart is refused after it, until its guard lapses", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "agentgw-nonces-"));
    const clock = { ms: 1_000_000_000 };
    const first = open(dataDir, clock);
    assert.equal(await first.remember("kid", "n-1", 1_000_060), true, "resolves once written");
    assert.equal(await first.remember("kid", "n-1", 1_000_060), false);
    const unwritten = first.remember("kid", "n-2", 1_000_060);
    first.close(); // writes what is queued before closing
    assert.equal(await unwritten, true);

    const restarted = open(dataDir, clock);
    assert.equal(await restarted.remember("kid", "n-1", 1_000_060), false, "the replay after a restart");
    assert.equal(await restarted.remember("kid", "n-2", 1_000_060), false, "queued at close, kept too");
    assert.equal(await restarted.remember("other-kid", "n-1", 1_000_060), true, "nonces are per key");
    clock.ms += 61_000;
    assert.equal(await restarted.remember("kid", "n-1", 1_000_121), true, "a lapsed guard frees the nonce");
    restarted.close();
  });

  it("keeps the front's quota, and expired rows are pruned", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "agentgw-nonces-"));
    const clock = { ms: 2_000_000_000 };
    const cache = open(dataDir, clock);
    for (const nonce of ["a", "b", "c"])
      assert.equal(await cache.remember("kid", nonce, 2_000_060, "agent"), true);
    assert.throws(() => cache.remember("kid", "d", 2_000_060, "agent"), NonceCacheFullError);
    clock.ms += 120_000;
    assert.equal(await cache.remember("kid", "e", 2_000_180, "agent"), true);
    cache.close();
  });
});
