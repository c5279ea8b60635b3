import type pg from "pg";
import { mergeBudgetDeltas } from "../budget-deltas.js";
import type { BudgetDelta, BudgetStore } from "../types.js";
import { type Queryable, query } from "./pool.js";

// As in SQLite: `used` is the durable count; `reserved` only holds what earlier versions left in
// flight, and a count still includes it.
export function createPostgresBudgetStore(pool: pg.Pool): BudgetStore {
  return {
    async count(agentId, key, period) {
      const { rows } = await query<{ total: number }>(
        pool,
        "SELECT used + reserved AS total FROM budget_usage WHERE agent_id = $1 AND key = $2 AND period = $3",
        [agentId, key, period],
      );
      return rows[0]?.total ?? 0;
    },
  };
}

/** Applies budget deltas inside the record batch's transaction (rows locked in a fixed order). */
export async function applyBudgetDeltas(client: Queryable, deltas: readonly BudgetDelta[]): Promise<void> {
  for (const d of mergeBudgetDeltas(deltas)) {
    await query(
      client,
      `INSERT INTO budget_usage (agent_id, key, period, used) VALUES ($1, $2, $3, $4)
       ON CONFLICT (agent_id, key, period) DO UPDATE SET used = budget_usage.used + excluded.used`,
      [d.agentId, d.key, d.period, d.delta],
    );
  }
}
