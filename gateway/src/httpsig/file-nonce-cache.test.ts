import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { createFileNonceCache } from "./file-nonce-cache.js";
import { createMemoryNonceCache, NonceCacheFullError } from "./nonce-cache.js";

function open(dataDir: string, clock: { ms: number }, rotateEveryMs?: number) {
  const now = () => clock.ms;
  return createFileNonceCache({
    dataDir,
    now,
    front: createMemoryNonceCache({ now, maxEntriesPerOwner: 3 }),
    ...(rotateEveryMs === undefined ? {} : { rotateEveryMs }),
  });
}

const journalFiles = (dataDir: string) => readdirSync(join(dataDir, "nonces")).sort();

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

  it("starts a new journal file each period and deletes a file once every nonce in it has lapsed", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "agentgw-nonces-"));
    const clock = { ms: 3_000_000_000 };
    const cache = open(dataDir, clock, 10_000);
    assert.equal(await cache.remember("kid", "early", 3_000_060), true);
    assert.equal(journalFiles(dataDir).length, 1);
    clock.ms += 11_000; // the next append starts a second file; the first still guards "early"
    assert.equal(await cache.remember("kid", "later", 3_000_200), true);
    assert.equal(journalFiles(dataDir).length, 2);
    clock.ms += 60_000; // "early" has lapsed: its file goes at the next rotation
    assert.equal(await cache.remember("kid", "last", 3_000_200), true);
    assert.equal(journalFiles(dataDir).length, 2);
    cache.close();
    const restarted = open(dataDir, clock);
    assert.equal(await restarted.remember("kid", "later", 3_000_200), false, "still guarded after a restart");
    assert.equal(await restarted.remember("kid", "early", 3_000_200), true, "lapsed before the restart");
    restarted.close();
  });

  it("skips a line torn by a crash, and takes over the nonces of the SQLite file earlier versions kept", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "agentgw-nonces-"));
    const clock = { ms: 4_000_000_000 };
    const legacy = new BetterSqlite3(join(dataDir, "nonces.db"));
    legacy.exec("CREATE TABLE nonces (kid TEXT NOT NULL, nonce TEXT NOT NULL, keep_until REAL NOT NULL)");
    legacy
      .prepare("INSERT INTO nonces VALUES (?, ?, ?), (?, ?, ?)")
      .run("kid", "old", 4_000_060, "kid", "gone", 3_999_000);
    legacy.close();
    const first = open(dataDir, clock);
    assert.equal(existsSync(join(dataDir, "nonces.db")), false, "taken over, then removed");
    assert.equal(
      await first.remember("kid", "old", 4_000_060),
      false,
      "a nonce from the SQLite file is a replay",
    );
    assert.equal(await first.remember("kid", "gone", 4_000_060), true, "a lapsed one is not kept");
    first.close();
    appendFileSync(join(dataDir, "nonces", journalFiles(dataDir).at(-1)!), '["kid","torn",40');
    const second = open(dataDir, clock);
    assert.equal(
      await second.remember("kid", "old", 4_000_060),
      false,
      "kept in the journal across restarts",
    );
    assert.equal(await second.remember("kid", "torn", 4_000_060), true);
    second.close();
  });
});
