import type { BudgetDelta } from "./types.js";

/**
 * One delta per counter, in a fixed order: a batch of many calls on one budget costs one row
 * update, and two writers always lock rows in the same order.
 */
export function mergeBudgetDeltas(deltas: readonly BudgetDelta[]): BudgetDelta[] {
  const merged = new Map<string, BudgetDelta>();
  for (const d of deltas) {
    const id = JSON.stringify([d.agentId, d.key, d.period]);
    const seen = merged.get(id);
    if (seen) seen.delta += d.delta;
    else merged.set(id, { ...d });
  }
  return [...merged.entries()]
    .filter(([, d]) => d.delta !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, d]) => d);
}
