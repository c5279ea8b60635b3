// Test-only: both budget ledgers behind one fixture, so the ledger tests run against each:
// the local one (memory + store) and the shared one (a real Redis from the test command, with
// a key prefix of its own, + store). The store is an in-memory SQLite unless one is given.
import { randomBytes } from "node:crypto";
import { createRecordWriter } from "../../audit/record-writer.js";
import { createRedisBudgetCounters, initBudgetEpoch } from "../../shared-state/redis-budget-counters.js";
import { connectRedis } from "../../shared-state/redis-client.js";
import { openSqliteStore } from "../../store/sqlite/open.js";
import { testRedisUrl } from "../../store/testing/servers.js";
import type { BudgetStore, Store } from "../../store/types.js";
import { type BudgetLedger, budgetLogOf, type DurableBudgetLog } from "../budget-ledger.js";
import { createLocalBudgetLedger } from "../local-budget-ledger.js";
import { budgetFenceSeconds, createSharedBudgetLedger } from "../shared-budget-ledger.js";

/** The shared ledger's commit timeout here: short, so the fence after a lost Redis is 2 s. */
export const TEST_COMMIT_TIMEOUT_MS = 1_000;

export interface LedgerFixture {
  ledger: BudgetLedger;
  store: Store;
  /**
   * Another ledger on the same store (and Redis): a second instance for the shared ledger, a
   * restarted process for the local one. `durable` replaces the record writer (e.g. to delay it).
   */
  another(durable?: DurableBudgetLog): BudgetLedger;
  /** The shared ledger only: drops every counter from Redis, as a FLUSHALL would. */
  forgetCounters?(): Promise<void>;
  close(): Promise<void>;
}

export interface LedgerFixtureOptions {
  store?: Store;
  /** Replaces the record writer (e.g. to delay or fail commits). */
  durable?: DurableBudgetLog;
  /** Replaces where counters are read from the store (e.g. to delay the reads). */
  counts?: BudgetStore;
}

export interface LedgerKind {
  name: "local" | "shared";
  open(options?: LedgerFixtureOptions): Promise<LedgerFixture>;
}

export const LEDGER_KINDS: readonly LedgerKind[] = [
  {
    name: "local",
    async open(options = {}) {
      const store = options.store ?? openSqliteStore({ dataDir: ":memory:" });
      const log = budgetLogOf(createRecordWriter(store.records));
      const make = (durable: DurableBudgetLog = log) =>
        createLocalBudgetLedger({ store: options.counts ?? store.budgets, durable });
      return {
        ledger: make(options.durable),
        store,
        another: make,
        close: () => (options.store ? Promise.resolve() : store.close()),
      };
    },
  },
  {
    name: "shared",
    async open(options = {}) {
      const store = options.store ?? openSqliteStore({ dataDir: ":memory:" });
      const log = budgetLogOf(createRecordWriter(store.records));
      const redis = connectRedis({ url: await testRedisUrl(), keyPrefix: "" });
      if (!(await redis.ready)) throw new Error("test redis unreachable");
      const prefix = `t${randomBytes(6).toString("hex")}:`;
      await initBudgetEpoch(redis.command, prefix);
      const make = (durable: DurableBudgetLog = log) =>
        createSharedBudgetLedger({
          counters: createRedisBudgetCounters(redis.command, prefix, {
            fenceSeconds: budgetFenceSeconds(TEST_COMMIT_TIMEOUT_MS),
          }),
          commitTimeoutMs: TEST_COMMIT_TIMEOUT_MS,
          store: options.counts ?? store.budgets,
          durable,
        });
      return {
        ledger: make(options.durable),
        store,
        another: make,
        async forgetCounters() {
          const keys = await redis.command.keys(`${prefix}*`);
          if (keys.length) await redis.command.del(...keys);
        },
        async close() {
          await redis.close();
          if (!options.store) await store.close();
        },
      };
    },
  },
];
