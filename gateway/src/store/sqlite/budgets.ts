import type { Database } from "better-sqlite3";
import { newId } from "../ids.js";
import type { BudgetStore } from "../types.js";

export function createSqliteBudgetStore(db: Database): BudgetStore {
  const ensureRow = db.prepare(
    "INSERT INTO budget_usage (agent_id, key, period) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
  );
  const selectRow = db.prepare<[string, string, string], { used: number; reserved: number }>(
    "SELECT used, reserved FROM budget_usage WHERE agent_id = ? AND key = ? AND period = ?",
  );
  const addReserved = db.prepare(
    "UPDATE budget_usage SET reserved = reserved + ? WHERE agent_id = ? AND key = ? AND period = ?",
  );
  const insertReservation = db.prepare(
    "INSERT INTO budget_reservations (id, agent_id, key, period, amount) VALUES (?, ?, ?, ?, ?)",
  );
  const selectReservation = db.prepare<
    [string],
    { agent_id: string; key: string; period: string; amount: number }
  >("SELECT agent_id, key, period, amount FROM budget_reservations WHERE id = ?");

  // The check and the increment run in one SQLite transaction, so concurrent calls cannot overshoot.
  const reserveTx = db.transaction(
    (input: { agentId: string; key: string; period: string; amount: number; limit: number }) => {
      ensureRow.run(input.agentId, input.key, input.period);
      const row = selectRow.get(input.agentId, input.key, input.period)!;
      if (row.used + row.reserved + input.amount > input.limit) return null;
      addReserved.run(input.amount, input.agentId, input.key, input.period);
      const id = newId("bud");
      insertReservation.run(id, input.agentId, input.key, input.period, input.amount);
      return { id };
    },
  );

  // Prepared once: settle runs on every budgeted call.
  const applyUsage = db.prepare(
    "UPDATE budget_usage SET reserved = reserved - ?, used = used + ? WHERE agent_id = ? AND key = ? AND period = ?",
  );
  const deleteReservation = db.prepare("DELETE FROM budget_reservations WHERE id = ?");
  const settleTx = db.transaction((id: string, used: number) => {
    const r = selectReservation.get(id);
    if (!r) return;
    applyUsage.run(r.amount, used, r.agent_id, r.key, r.period);
    deleteReservation.run(id);
  });

  return {
    async reserve(input) {
      return reserveTx(input);
    },
    async settle(reservation, used) {
      settleTx(reservation.id, used);
    },
    async usage(agentId, key, period) {
      const row = selectRow.get(agentId, key, period);
      return row ? row.used + row.reserved : 0;
    },
  };
}
