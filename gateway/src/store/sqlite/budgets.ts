import type { Database } from "better-sqlite3";
import { mergeBudgetDeltas } from "../budget-deltas.js";
import type { BudgetDelta, BudgetStore } from "../types.js";

// One row per (agent, key, period). `used` is the durable count: every hold added when it was
// granted, every settle's difference added after. `reserved` and the budget_reservations table
// are what the per-call store transactions of earlier versions wrote; a count read here still
// includes `reserved` (holds in flight when such a version stopped: counted, never forgotten).
export function createSqliteBudgetStore(db: Database): BudgetStore {
  const selectCount = db.prepare<[string, string, string], { total: number }>(
    "SELECT used + reserved AS total FROM budget_usage WHERE agent_id = ? AND key = ? AND period = ?",
  );
  return {
    async count(agentId, key, period) {
      return selectCount.get(agentId, key, period)?.total ?? 0;
    },
  };
}

/** Applies budget deltas; run inside the record batch's transaction. */
export function prepareBudgetApply(db: Database): (deltas: readonly BudgetDelta[]) => void {
  const add = db.prepare(
    `INSERT INTO budget_usage (agent_id, key, period, used) VALUES (?, ?, ?, ?)
     ON CONFLICT (agent_id, key, period) DO UPDATE SET used = used + excluded.used`,
  );
  return (deltas) => {
    for (const d of mergeBudgetDeltas(deltas)) add.run(d.agentId, d.key, d.period, d.delta);
  };
}
