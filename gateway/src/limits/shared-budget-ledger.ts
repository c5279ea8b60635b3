// The budget ledger of several gateways (Redis): the counters live in Redis, where a Lua
// script checks and adds a call's holds atomically (shared-state/redis-budget-counters.ts),
// and the store keeps the durable count. What keeps "never an overspend" true:
// - a hold is granted in Redis, then committed to the store (group-committed), and the call
//   is forwarded only once that commit is done, within `commitTimeoutMs`; a hold not committed
//   by then is refused (503) and never forwarded. The store's count therefore includes every
//   hold whose call went out;
// - a counter Redis does not have is started from the store's count, read after Redis said
//   it was missing. A new counter has no holds elsewhere. A counter Redis lost (restart
//   without data, FLUSHALL) may have had holds granted and not yet committed, so the script
//   starts no counter until the fence (twice the commit timeout) has passed since Redis lost
//   its data: by then each such hold is committed or was never forwarded;
// - a settle changes Redis first, then the store, so a counter re-read from the store in
//   between is higher than the truth, never lower.
// What can be over-counted: a hold whose commit timed out but landed later, a settle lost in
// a crash. Redis unreachable: StoreUnavailableError (503); the next call tries again.

import type { BudgetStore } from "../store/types.js";
import { StoreUnavailableError } from "../store/types.js";
import {
  type BudgetCounters,
  type BudgetLedger,
  type DurableBudgetLog,
  deltasOf,
  type LedgerHold,
  type LedgerVerdict,
  settleDeltasOf,
} from "./budget-ledger.js";

export interface SharedBudgetLedgerDeps {
  counters: BudgetCounters;
  store: BudgetStore;
  durable: DurableBudgetLog;
  /** How long a granted hold may wait for its commit before the call is refused (default 5 s). */
  commitTimeoutMs?: number;
}

/** Seeding rounds before giving up (each needs Redis to lose the counter again in between). */
const SEED_ROUNDS = 3;

/** The fence the counters must keep after Redis lost its data: twice the commit timeout. */
export function budgetFenceSeconds(commitTimeoutMs: number = DEFAULT_COMMIT_TIMEOUT_MS): number {
  return Math.ceil((2 * commitTimeoutMs) / 1000);
}
const DEFAULT_COMMIT_TIMEOUT_MS = 5_000;

export function createSharedBudgetLedger(deps: SharedBudgetLedgerDeps): BudgetLedger {
  const { counters, store, durable } = deps;
  const commitTimeoutMs = deps.commitTimeoutMs ?? DEFAULT_COMMIT_TIMEOUT_MS;

  async function decide(holds: readonly LedgerHold[]): Promise<LedgerVerdict> {
    let seeds: Array<number | undefined> | undefined;
    for (let round = 0; round < SEED_ROUNDS; round++) {
      const verdict = await counters.reserve(holds, seeds);
      if (verdict.kind === "granted") return { granted: true };
      if (verdict.kind === "refused") return { granted: false, refused: verdict.index };
      seeds = await Promise.all(
        holds.map((h, i) =>
          verdict.indexes.includes(i) ? store.count(h.agentId, h.key, h.period) : undefined,
        ),
      );
    }
    throw new StoreUnavailableError("redis", { reason: "budget counters keep disappearing from Redis" });
  }

  /** Commits the holds; false when that took longer than the timeout (it may still land later). */
  async function commit(holds: readonly LedgerHold[]): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), commitTimeoutMs);
    });
    try {
      // A commit that fails after the timeout is handled by the race: the call was already refused.
      return await Promise.race([durable.write(deltasOf(holds, 1)).then(() => true as const), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async reserve(holds) {
      const verdict = await decide(holds);
      if (!verdict.granted) return verdict;
      let committed: boolean;
      try {
        committed = await commit(holds);
      } catch (error) {
        // Certainly not in the store, and well inside the fence: Redis can take it back.
        await counters.adjust(deltasOf(holds, -1).map((d) => ({ key: d, delta: d.delta }))).catch(() => {});
        throw error;
      }
      if (!committed) {
        // It may still land: leave it counted everywhere (an over-count, never an overspend).
        throw new StoreUnavailableError("postgres", { reason: "the budget hold was not committed in time" });
      }
      return verdict;
    },

    async settle(settlements) {
      const deltas = settleDeltasOf(settlements);
      if (deltas.length === 0) return;
      // Redis first (see above). If Redis is away its counters keep the holds (higher: safe);
      // the store still gets the truth, and the caller hears of the failure after both.
      let redisError: unknown = null;
      await counters.adjust(deltas.map((d) => ({ key: d, delta: d.delta }))).catch((error: unknown) => {
        redisError = error;
      });
      await durable.write(deltas);
      if (redisError) throw redisError;
    },

    async usage(keys) {
      const values = await counters.read(keys);
      // A counter Redis does not have yet: the store's count (the next hold starts it from that).
      return Promise.all(
        values.map((v, i) => v ?? store.count(keys[i]!.agentId, keys[i]!.key, keys[i]!.period)),
      );
    },
  };
}
