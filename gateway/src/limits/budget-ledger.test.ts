// The budget ledger contract, run against both implementations (testing/ledgers.ts): holds are
// durable before they resolve, a restart or another instance counts every forwarded hold, and
// the shared ledger survives Redis losing its data or going away without ever overspending.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { startRedis } from "../../../scripts/test-services.mjs";
import { createRecordWriter } from "../audit/record-writer.js";
import { createRedisBudgetCounters, initBudgetEpoch } from "../shared-state/redis-budget-counters.js";
import { connectRedis } from "../shared-state/redis-client.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import { StoreUnavailableError } from "../store/types.js";
import { budgetLogOf, type DurableBudgetLog, type LedgerHold } from "./budget-ledger.js";
import { createSharedBudgetLedger } from "./shared-budget-ledger.js";
import {
  LEDGER_KINDS,
  type LedgerFixture,
  type LedgerFixtureOptions,
  TEST_COMMIT_TIMEOUT_MS,
} from "./testing/ledgers.js";

const counter = { agentId: "agt_1", key: "gmail|calls|messages.send", period: "2026-11-22" };
const hold = (amount = 1, limit = 3): LedgerHold => ({ ...counter, amount, limit, secondsLeft: 3600 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const durableCount = (f: LedgerFixture) =>
  f.store.budgets.count(counter.agentId, counter.key, counter.period);

async function withLedger(
  kind: (typeof LEDGER_KINDS)[number],
  fn: (f: LedgerFixture) => Promise<void>,
  options?: LedgerFixtureOptions,
) {
  const fixture = await kind.open(options);
  try {
    await fn(fixture);
  } finally {
    await fixture.close();
  }
}

/** Retries while the shared ledger's fence after a Redis data loss refuses (503). */
async function afterFence<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

/** A durable log the test commits (or fails) by hand. */
function manualLog(store: LedgerFixture["store"]) {
  const real = budgetLogOf(createRecordWriter(store.records));
  const waiting: Array<{ go(): void; fail(error: Error): void }> = [];
  const log: DurableBudgetLog & { waiting: typeof waiting } = {
    waiting,
    write(deltas) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ go: () => void real.write(deltas).then(resolve, reject), fail: reject });
      });
    },
  };
  return log;
}

for (const kind of LEDGER_KINDS) {
  describe(`${kind.name} budget ledger`, () => {
    it("resolves a hold only once the store committed it, and gives back a hold the store refused", async () => {
      const store = openSqliteStore({ dataDir: ":memory:" });
      const log = manualLog(store);
      await withLedger(
        kind,
        async (f) => {
          let resolved = false;
          const first = f.ledger.reserve([hold()]).then((v) => {
            resolved = true;
            return v;
          });
          while (log.waiting.length === 0) await sleep(5);
          await sleep(20);
          assert.equal(resolved, false, "not before the commit");
          assert.equal(await durableCount(f), 0);
          log.waiting.shift()!.go();
          assert.deepEqual(await first, { granted: true });
          assert.equal(await durableCount(f), 1);

          const second = f.ledger.reserve([hold(2)]);
          while (log.waiting.length === 0) await sleep(5);
          log.waiting.shift()!.fail(new Error("disk full"));
          await assert.rejects(second, /disk full/);
          assert.deepEqual(await f.ledger.usage([counter]), [1], "the refused hold is given back");
          const third = f.ledger.reserve([hold(2)]);
          while (log.waiting.length === 0) await sleep(5);
          log.waiting.shift()!.go();
          assert.deepEqual(await third, { granted: true });
          assert.equal(await durableCount(f), 3);
        },
        { store, durable: log },
      );
      await store.close();
    });

    it("after a restart (or on another instance) every forwarded hold still counts; a lost settle leaves it whole", async () => {
      await withLedger(kind, async (f) => {
        const verdicts = await Promise.all(Array.from({ length: 5 }, () => f.ledger.reserve([hold()])));
        assert.equal(verdicts.filter((v) => v.granted).length, 3);
        // Settled in memory or Redis, but "crashed" before the settle reached the store.
        const lost = { write: () => new Promise<void>(() => {}) };
        void f.another(lost).settle([{ ...counter, held: 1, used: 0 }]);
        const restarted = f.another();
        assert.ok((await restarted.usage([counter]))[0]! >= 2);
        assert.equal(await durableCount(f), 3, "the store never forgot a hold");
        await f.forgetCounters?.(); // the shared ledger: Redis lost everything too
        const fresh = f.another();
        assert.deepEqual(await afterFence(() => fresh.reserve([hold()])), { granted: false, refused: 0 });
        assert.deepEqual(await fresh.usage([counter]), [3]);
      });
    });

    it("settles to what was used, and a failed call's hold goes back", async () => {
      await withLedger(kind, async (f) => {
        assert.deepEqual(
          await f.ledger.reserve([hold(400, 1000), { ...hold(1, 5), key: "openai|calls|*" }]),
          {
            granted: true,
          },
        );
        await f.ledger.settle([
          { ...counter, held: 400, used: 120 },
          { ...counter, key: "openai|calls|*", held: 1, used: 0 },
        ]);
        assert.deepEqual(await f.ledger.usage([counter, { ...counter, key: "openai|calls|*" }]), [120, 0]);
        assert.equal(await durableCount(f), 120);
      });
    });
  });
}

const shared = LEDGER_KINDS.find((k) => k.name === "shared")!;

describe("shared budget ledger", () => {
  it("two instances under parallel load grant exactly the limit, and the store agrees", async () => {
    await withLedger(shared, async (f) => {
      const other = f.another();
      const verdicts = await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 ? other : f.ledger).reserve([hold(1, 17)])),
      );
      assert.equal(verdicts.filter((v) => v.granted).length, 17);
      assert.equal(await durableCount(f), 17);
    });
  });

  it("Redis losing its data mid-period: no counter starts within the fence, then it re-seeds from the store", async () => {
    await withLedger(shared, async (f) => {
      for (let i = 0; i < 2; i++) assert.ok((await f.ledger.reserve([hold()])).granted);
      await f.forgetCounters!();
      const refused = await f.ledger.reserve([hold()]).catch((e: unknown) => e);
      assert.ok(refused instanceof StoreUnavailableError, String(refused));
      assert.ok((refused.retryAfterSeconds ?? 0) >= 1);
      assert.equal(await durableCount(f), 2, "a refused hold is not counted");
      await sleep(2 * TEST_COMMIT_TIMEOUT_MS + 100);
      assert.deepEqual(await f.ledger.reserve([hold()]), { granted: true });
      assert.deepEqual(await f.ledger.reserve([hold()]), { granted: false, refused: 0 });
      assert.deepEqual(await f.another().usage([counter]), [3]);
    });
  });

  it("a hold not committed in time is refused (503) and stays counted", async () => {
    const store = openSqliteStore({ dataDir: ":memory:" });
    // Never commits in time, then fails: the late failure must not become an unhandled rejection.
    const never = {
      write: () =>
        new Promise<void>((_, reject) =>
          setTimeout(() => reject(new Error("late")), 2 * TEST_COMMIT_TIMEOUT_MS),
        ),
    };
    await withLedger(
      shared,
      async (f) => {
        const error = await f.ledger.reserve([hold()]).catch((e: unknown) => e);
        assert.ok(error instanceof StoreUnavailableError && error.dependency === "postgres", String(error));
        assert.deepEqual(await f.another().usage([counter]), [1], "it may still land: counted");
        await sleep(2 * TEST_COMMIT_TIMEOUT_MS);
      },
      { store, durable: never },
    );
    await store.close();
  });

  it("Redis down: holds fail closed with StoreUnavailableError, and work again when it is back", async () => {
    const redis = await startRedis();
    const clients = connectRedis({ url: redis.url, keyPrefix: "" });
    const store = openSqliteStore({ dataDir: ":memory:" });
    try {
      assert.ok(await clients.ready);
      const prefix = `t${randomBytes(4).toString("hex")}:`;
      await initBudgetEpoch(clients.command, prefix);
      const ledger = createSharedBudgetLedger({
        counters: createRedisBudgetCounters(clients.command, prefix, { fenceSeconds: 2 }),
        store: store.budgets,
        durable: budgetLogOf(createRecordWriter(store.records)),
        commitTimeoutMs: TEST_COMMIT_TIMEOUT_MS,
      });
      assert.ok((await ledger.reserve([hold()])).granted);
      await redis.stop();
      await assert.rejects(ledger.reserve([hold()]), StoreUnavailableError);
      await assert.rejects(ledger.usage([counter]), StoreUnavailableError);
      assert.equal(await store.budgets.count(counter.agentId, counter.key, counter.period), 1);
      await redis.start(); // without its data: the fence applies, then the store's count
      assert.deepEqual(await afterFence(() => ledger.reserve([hold(1, 2)])), { granted: true });
      assert.deepEqual(await ledger.reserve([hold(1, 2)]), { granted: false, refused: 0 });
    } finally {
      // The server first: its process does not keep this one alive, the clients' reconnecting does.
      await redis.close();
      await clients.close();
      await store.close();
    }
  });
});
