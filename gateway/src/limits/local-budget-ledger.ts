// The budget ledger of one gateway process (no Redis): counters in memory. A hold is decided
// and counted in one synchronous step, so concurrent calls cannot overshoot (one event loop);
// it then waits for the store to commit it before the call goes on. A counter is read from the
// store the first time it is needed (after a start, or in a new period), once, whoever asks.
// A hard kill loses nothing that matters: holds whose calls were forwarded are committed, and a
// settle lost on the way leaves its whole hold counted.
import type { BudgetStore } from "../store/types.js";
import {
  type BudgetLedger,
  type DurableBudgetLog,
  deltasOf,
  type LedgerKey,
  settleDeltasOf,
} from "./budget-ledger.js";

export interface LocalBudgetLedgerDeps {
  store: BudgetStore;
  durable: DurableBudgetLog;
}

export function createLocalBudgetLedger({ store, durable }: LocalBudgetLedgerDeps): BudgetLedger {
  /** period → counter id → used plus held; periods that have ended are dropped. */
  const periods = new Map<string, Map<string, number>>();
  const loading = new Map<string, Promise<void>>();
  const counterId = (k: LedgerKey) => `${k.agentId.length}:${k.agentId}:${k.key}`;
  const current = (k: LedgerKey) => periods.get(k.period)?.get(counterId(k));

  function periodOf(period: string): Map<string, number> {
    let counters = periods.get(period);
    if (!counters) {
      // Day keys ("2026-11-22") and month keys ("2026-11") sort by time within their length.
      for (const old of periods.keys()) {
        if (old.length === period.length && old < period) periods.delete(old);
      }
      counters = new Map();
      periods.set(period, counters);
    }
    return counters;
  }

  function load(k: LedgerKey): Promise<void> {
    const id = `${k.period}:${counterId(k)}`;
    let pending = loading.get(id);
    if (!pending) {
      pending = store
        .count(k.agentId, k.key, k.period)
        .then((count) => {
          const counters = periodOf(k.period);
          if (!counters.has(counterId(k))) counters.set(counterId(k), count);
        })
        .finally(() => loading.delete(id));
      loading.set(id, pending);
    }
    return pending;
  }

  const absent = (k: LedgerKey) => current(k) === undefined;
  /** Resolves once every counter is in memory (a period may roll over meanwhile: checked again). */
  async function loadAll(keys: readonly LedgerKey[]): Promise<void> {
    while (keys.some(absent)) await Promise.all(keys.filter(absent).map(load));
  }

  function add(k: LedgerKey, delta: number): void {
    const counters = periods.get(k.period);
    const value = counters?.get(counterId(k));
    if (counters && value !== undefined) counters.set(counterId(k), Math.max(0, value + delta));
  }

  return {
    async reserve(holds) {
      // Checked again without awaiting: from here to the additions the check and the hold are one step.
      while (holds.some(absent)) await loadAll(holds);
      const refused = holds.findIndex((h) => current(h)! + h.amount > h.limit);
      if (refused >= 0) return { granted: false, refused };
      for (const h of holds) add(h, h.amount);
      try {
        await durable.write(deltasOf(holds, 1));
      } catch (error) {
        // Not durable, so not forwarded: give the hold back here too.
        for (const h of holds) add(h, -h.amount);
        throw error;
      }
      return { granted: true };
    },

    async settle(settlements) {
      for (const s of settlements) add(s, s.used - s.held);
      const deltas = settleDeltasOf(settlements);
      if (deltas.length) await durable.write(deltas);
    },

    async usage(keys) {
      await loadAll(keys);
      return keys.map((k) => current(k) ?? 0);
    },
  };
}
