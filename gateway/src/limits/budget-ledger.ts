// The budget ledger: counters per (agent, budget rule, period) that calls hold against before
// they are forwarded and settle after. Two implementations, chosen in services.ts:
// - local-budget-ledger.ts, one gateway process: counters in memory, decided on the event loop;
// - shared-budget-ledger.ts, with Redis: counters in Redis, decided by a Lua script.
// Both make every change durable in the store through the group-commit record writer, and a
// hold resolves only once it is durable (then the call may be forwarded). Whatever is lost —
// a crashed process, a flushed Redis — is rebuilt from the store's count, which is never lower
// than what was really spent: a lost settle leaves its whole hold counted.
import type { RecordWriter } from "../audit/record-writer.js";
import type { BudgetDelta } from "../store/types.js";

export interface LedgerKey {
  agentId: string;
  /** The budget rule, e.g. "gmail|calls|messages.send". */
  key: string;
  /** The period's key, e.g. "2026-11-22". */
  period: string;
}

export interface LedgerHold extends LedgerKey {
  amount: number;
  limit: number;
  /** Seconds until the period ends (a shared counter expires some time after). */
  secondsLeft: number;
}

export interface LedgerSettlement extends LedgerKey {
  /** What the call held. */
  held: number;
  /** What it really used (0 gives the hold back). */
  used: number;
}

export type LedgerVerdict = { granted: true } | { granted: false; refused: number };

export interface BudgetLedger {
  /**
   * Holds every amount, or none: refused is the index of the first hold that would pass its
   * limit. Resolves once the holds are durable in the store.
   */
  reserve(holds: readonly LedgerHold[]): Promise<LedgerVerdict>;
  /** Replaces holds with what was used. */
  settle(settlements: readonly LedgerSettlement[]): Promise<void>;
  /** Used plus held, per key, in order. */
  usage(keys: readonly LedgerKey[]): Promise<number[]>;
}

export type CounterVerdict =
  | { kind: "granted" }
  | { kind: "refused"; index: number }
  | { kind: "missing"; indexes: number[] };

/** Counters several gateways share (shared-state/redis-budget-counters.ts): the shared ledger's hot half. */
export interface BudgetCounters {
  /** Holds every amount or none; `seeds[i]` starts counter i when it is missing. */
  reserve(holds: readonly LedgerHold[], seeds?: ReadonlyArray<number | undefined>): Promise<CounterVerdict>;
  /** Adds deltas to the counters that exist. */
  adjust(changes: ReadonlyArray<{ key: LedgerKey; delta: number }>): Promise<void>;
  /** Current values; null for a missing counter. */
  read(keys: readonly LedgerKey[]): Promise<Array<number | null>>;
}

/** Where a ledger makes its changes durable: the record writer, in the same batches as decisions. */
export interface DurableBudgetLog {
  /** Resolves once the deltas are committed. */
  write(deltas: BudgetDelta[]): Promise<void>;
}

/** Budget changes go through the record writer: the same group commits as decisions and audit events. */
export function budgetLogOf(records: Pick<RecordWriter, "write">): DurableBudgetLog {
  return { write: (budgets) => records.write({ budgets }).then(() => undefined) };
}

export function deltasOf(holds: readonly LedgerHold[], sign: 1 | -1): BudgetDelta[] {
  return holds.map((h) => ({ agentId: h.agentId, key: h.key, period: h.period, delta: sign * h.amount }));
}

export function settleDeltasOf(settlements: readonly LedgerSettlement[]): BudgetDelta[] {
  return settlements
    .filter((s) => s.used !== s.held)
    .map((s) => ({ agentId: s.agentId, key: s.key, period: s.period, delta: s.used - s.held }));
}
