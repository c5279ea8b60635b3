import type pg from "pg";
import { newId } from "../ids.js";
import type { BudgetStore } from "../types.js";
import { query, transaction } from "./pool.js";

export function createPostgresBudgetStore(pool: pg.Pool): BudgetStore {
  return {
    async reserve(input) {
      const { agentId, key, period, amount, limit } = input;
      return transaction(pool, async (client) => {
        await query(
          client,
          "INSERT INTO budget_usage (agent_id, key, period) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
          [agentId, key, period],
        );
        // The UPDATE locks the row and re-checks the condition against the latest committed
        // values, so concurrent reservations from any number of instances cannot overshoot.
        const granted = await query(
          client,
          `UPDATE budget_usage SET reserved = reserved + $4
           WHERE agent_id = $1 AND key = $2 AND period = $3 AND used + reserved + $4 <= $5`,
          [agentId, key, period, amount, limit],
        );
        if ((granted.rowCount ?? 0) === 0) return null;
        const id = newId("bud");
        await query(
          client,
          "INSERT INTO budget_reservations (id, agent_id, key, period, amount) VALUES ($1, $2, $3, $4, $5)",
          [id, agentId, key, period, amount],
        );
        return { id };
      });
    },
    async settle(reservation, used) {
      await transaction(pool, async (client) => {
        const { rows } = await query<{ agent_id: string; key: string; period: string; amount: number }>(
          client,
          "DELETE FROM budget_reservations WHERE id = $1 RETURNING agent_id, key, period, amount",
          [reservation.id],
        );
        const r = rows[0];
        if (!r) return;
        await query(
          client,
          `UPDATE budget_usage SET reserved = reserved - $1, used = used + $2
           WHERE agent_id = $3 AND key = $4 AND period = $5`,
          [r.amount, used, r.agent_id, r.key, r.period],
        );
      });
    },
    async usage(agentId, key, period) {
      const { rows } = await query<{ total: number }>(
        pool,
        "SELECT used + reserved AS total FROM budget_usage WHERE agent_id = $1 AND key = $2 AND period = $3",
        [agentId, key, period],
      );
      return rows[0]?.total ?? 0;
    },
  };
}
