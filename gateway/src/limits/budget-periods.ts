// Budget periods are calendar days and months in UTC. A period's key names it in
// the store ("2026-11-22", "2026-11"), so usage rolls over without a cleanup job.

export type BudgetPeriod = "day" | "month";

/** The key of the period containing `unixSeconds`. */
export function periodKey(period: BudgetPeriod, unixSeconds: number): string {
  const iso = new Date(unixSeconds * 1000).toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ
  return period === "day" ? iso.slice(0, 10) : iso.slice(0, 7);
}

/** Whole seconds from `unixSeconds` until the next period starts (at least 1). */
export function secondsUntilNextPeriod(period: BudgetPeriod, unixSeconds: number): number {
  const at = new Date(unixSeconds * 1000);
  const next =
    period === "day"
      ? Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1)
      : Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
  return Math.max(1, Math.ceil(next / 1000 - unixSeconds));
}
