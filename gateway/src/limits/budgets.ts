// Per-agent quotas on tool usage per UTC day or month (config.rateLimits.tiers[tier].budgets):
// "calls" budgets count matching calls, "tokens" budgets sum OpenAI usage.total_tokens.
// A call reserves its share before it is forwarded and settles after, against the budget
// ledger (budget-ledger.ts), which holds all of a call's shares atomically, so concurrent
// calls can never overshoot a limit.
import type { Config } from "../config.js";
import { GatewayError } from "../errors.js";
import type { BudgetLedger, LedgerKey } from "./budget-ledger.js";
import { type BudgetPeriod, periodKey, secondsUntilNextPeriod } from "./budget-periods.js";

export type BudgetsConfig = Pick<Config, "rateLimits">;
export type BudgetUnit = "calls" | "tokens";

export interface BudgetRule {
  tool: string;
  unit: BudgetUnit;
  /** Only calls of this action count; undefined: every action of the tool. */
  action?: string | undefined;
  period: BudgetPeriod;
  limit: number;
}

export interface BudgetedCall {
  agent: { id: string; tier: string };
  tool: string;
  action: string;
  /**
   * Tokens to reserve for "tokens" budgets: the most the call can use (its connector's `boundTokens`);
   * defaults to `defaultTokenEstimate` for a tool that gives no bound.
   */
  estimate?: number | undefined;
}

/** What `reserve` holds for one call; pass it to `settle` exactly once. Opaque to callers. */
export interface BudgetHold {
  readonly agentId: string;
  readonly entries: ReadonlyArray<{
    readonly rule: BudgetRule;
    readonly counter: LedgerKey;
    readonly amount: number;
  }>;
}

export interface BudgetOutcome {
  /** Whether the upstream call succeeded; a failed call gives its reservation back. */
  ok: boolean;
  /** usage.total_tokens from the upstream response, when it reported one. */
  tokens?: number | undefined;
}

export interface BudgetUsage {
  tool: string;
  unit: BudgetUnit;
  action: string | null;
  period: BudgetPeriod;
  /** The current period's key, e.g. "2026-11-22" or "2026-11". */
  periodKey: string;
  /** Settled use plus reservations still in flight. */
  used: number;
  limit: number;
}

export interface Budgets {
  /** Reserves against every budget matching the call; throws GatewayError("budget_exceeded") when one is spent. */
  reserve(call: BudgetedCall): Promise<BudgetHold>;
  /** Whether a "tokens" budget covers this call (then its estimate must bound what it can use). */
  countsTokens(agent: { tier: string }, tool: string, action: string): boolean;
  /** Replaces the reservations with what was really used. Settling a hold twice does nothing. */
  settle(hold: BudgetHold, outcome: BudgetOutcome): Promise<void>;
  /** The agent's budgets in their current periods, for policies (`input.budgets`) and operators. */
  usageFor(agent: { id: string; tier: string }): Promise<BudgetUsage[]>;
}

export interface BudgetsOptions {
  /** Unix seconds; injected so tests control the period. */
  nowSeconds?: () => number;
  /** Tokens reserved when a call names no cap of its own. */
  defaultTokenEstimate?: number;
  /** Called for every settled budget with the amount used, e.g. for the agentgw_budget_used counter. */
  onSettle?: (settled: { agentId: string; tool: string; unit: BudgetUnit; amount: number }) => void;
}

export function createBudgets(
  config: BudgetsConfig,
  ledger: BudgetLedger,
  options: BudgetsOptions = {},
): Budgets {
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const defaultTokenEstimate = options.defaultTokenEstimate ?? 1000;
  if (!Number.isInteger(defaultTokenEstimate) || defaultTokenEstimate < 1) {
    throw new RangeError(`defaultTokenEstimate must be a positive integer, got ${defaultTokenEstimate}`);
  }
  const onSettle = options.onSettle ?? (() => {});

  const rulesByTier = new Map<string, readonly BudgetRule[]>();
  for (const [tier, spec] of Object.entries(config.rateLimits.tiers)) {
    spec.budgets.forEach((rule, i) => {
      if (!Number.isInteger(rule.limit) || rule.limit < 1) {
        throw new RangeError(`rateLimits.tiers.${tier}.budgets.${i}.limit must be a positive integer`);
      }
    });
    rulesByTier.set(tier, spec.budgets);
  }
  const rulesFor = (tier: string) => rulesByTier.get(tier) ?? rulesByTier.get("default") ?? [];
  const settled = new WeakSet<BudgetHold>();

  const matchingRules = (tier: string, tool: string, action: string) =>
    rulesFor(tier).filter(
      (rule) => rule.tool === tool && (rule.action === undefined || rule.action === action),
    );

  return {
    countsTokens(agent, tool, action) {
      return matchingRules(agent.tier, tool, action).some((rule) => rule.unit === "tokens");
    },

    async reserve(call) {
      const matching = matchingRules(call.agent.tier, call.tool, call.action);
      if (matching.length === 0) return Object.freeze({ agentId: call.agent.id, entries: [] });
      const now = nowSeconds();
      const estimate = validEstimate(call.estimate) ?? defaultTokenEstimate;
      const entries = matching.map((rule) => ({
        rule,
        counter: counterOf(call.agent.id, rule, now),
        amount: rule.unit === "tokens" ? estimate : 1,
      }));
      const verdict = await ledger.reserve(
        entries.map((e) => ({
          ...e.counter,
          amount: e.amount,
          limit: e.rule.limit,
          secondsLeft: secondsUntilNextPeriod(e.rule.period, now),
        })),
      );
      if (!verdict.granted) {
        const { rule, amount } = entries[verdict.refused]!;
        const wait = secondsUntilNextPeriod(rule.period, now);
        throw new GatewayError(
          "budget_exceeded",
          `the ${rule.period === "day" ? "daily" : "monthly"} budget of ${rule.limit} ${rule.unit} for ${describe(rule)} is used up` +
            (rule.unit === "tokens" ? ` (this call reserves ${amount})` : "") +
            `; it renews in ${wait} s`,
          { headers: { "Retry-After": String(wait) } },
        );
      }
      return Object.freeze({ agentId: call.agent.id, entries: Object.freeze(entries) });
    },

    async settle(hold, outcome) {
      if (hold.entries.length === 0 || settled.has(hold)) return;
      settled.add(hold);
      const settlements = hold.entries.map(({ rule, counter, amount }) => ({
        ...counter,
        held: amount,
        used: usedAmount(rule.unit, amount, outcome),
      }));
      await ledger.settle(settlements);
      hold.entries.forEach(({ rule }, i) => {
        const used = settlements[i]!.used;
        if (used > 0) onSettle({ agentId: hold.agentId, tool: rule.tool, unit: rule.unit, amount: used });
      });
    },

    async usageFor(agent) {
      const now = nowSeconds();
      const rules = rulesFor(agent.tier);
      const counters = rules.map((rule) => counterOf(agent.id, rule, now));
      const used = await ledger.usage(counters);
      return rules.map((rule, i) => ({
        tool: rule.tool,
        unit: rule.unit,
        action: rule.action ?? null,
        period: rule.period,
        periodKey: counters[i]!.period,
        used: used[i]!,
        limit: rule.limit,
      }));
    },
  };
}

/** One counter per (agent, tool, unit, action) and period. */
function counterOf(agentId: string, rule: BudgetRule, now: number): LedgerKey {
  return {
    agentId,
    key: `${rule.tool}|${rule.unit}|${rule.action ?? "*"}`,
    period: periodKey(rule.period, now),
  };
}

function describe(rule: BudgetRule): string {
  return rule.action ? `${rule.tool} ${rule.action}` : rule.tool;
}

function validEstimate(estimate: number | undefined): number | undefined {
  return estimate !== undefined && Number.isInteger(estimate) && estimate >= 0 ? estimate : undefined;
}

/**
 * A call that failed used nothing (its reservation is released). A tokens budget
 * takes the upstream's usage.total_tokens; when the upstream reported none (or
 * nonsense), the reserved estimate stands, so missing usage never means free use.
 */
function usedAmount(unit: BudgetUnit, reserved: number, outcome: BudgetOutcome): number {
  const reported =
    outcome.tokens !== undefined && Number.isFinite(outcome.tokens) && outcome.tokens >= 0
      ? Math.ceil(outcome.tokens)
      : undefined;
  if (unit === "calls") return outcome.ok ? reserved : 0;
  if (!outcome.ok) return reported ?? 0;
  return reported ?? reserved;
}
