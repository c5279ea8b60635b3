// Property test (fast-check) for the budget ledger: whatever the budgets, the calls and the order in
// which their reserve and settle steps interleave (fast-check's scheduler picks the order of every
// store operation), the amount used plus held never exceeds a limit at any moment, and once every
// call has settled the ledger holds exactly what the admitted calls really used.
// Usage reported by an upstream is at most what the call reserved: the pipeline makes each
// reservation an upper bound the agent cannot lower (the prompt's size bounds its tokens).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { configSchema } from "../config.js";
import { GatewayError } from "../errors.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import type { BudgetStore } from "../store/types.js";
import { createBudgets } from "./budgets.js";

const NOW = Date.parse("2026-11-22T12:00:00Z") / 1000;
const AGENTS = ["agt_a", "agt_b"];
const ACTIONS = [
  { tool: "openai", action: "chat.completions.create" },
  { tool: "openai", action: "embeddings.create" },
  { tool: "gmail", action: "messages.send" },
];

const rule = fc.record({
  tool: fc.constantFrom("openai", "gmail"),
  unit: fc.constantFrom("calls" as const, "tokens" as const),
  action: fc.option(fc.constantFrom(...ACTIONS.map((a) => a.action)), { nil: undefined }),
  period: fc.constantFrom("day" as const, "month" as const),
  limit: fc.integer({ min: 1, max: 600 }),
});

const call = fc
  .record({
    agent: fc.constantFrom(...AGENTS),
    target: fc.constantFrom(...ACTIONS),
    estimate: fc.integer({ min: 1, max: 300 }),
    ok: fc.boolean(),
    /** Share of the reservation the upstream reports using; undefined: it reported nothing. */
    reportedShare: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  })
  .map((c) => ({
    ...c,
    reported: c.reportedShare === undefined ? undefined : Math.floor(c.reportedShare * c.estimate),
  }));

type Rule = typeof rule extends fc.Arbitrary<infer T> ? T : never;
type Call = typeof call extends fc.Arbitrary<infer T> ? T : never;

const matches = (r: Rule, c: Call) =>
  r.tool === c.target.tool && (r.action === undefined || r.action === c.target.action);

/** What a settled call leaves on a rule's ledger (budgets.ts: failed calls use nothing unless usage says so). */
function expectedUse(r: Rule, c: Call): number {
  if (r.unit === "calls") return c.ok ? 1 : 0;
  if (!c.ok) return c.reported ?? 0;
  return c.reported ?? c.estimate;
}

test("random interleavings of reserve and settle never exceed a budget, and settle to the truth", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(rule, { minLength: 1, maxLength: 4 }),
      fc.array(call, { minLength: 1, maxLength: 25 }),
      fc.scheduler(),
      async (rules, calls, s) => {
        // One rule per (tool, unit, action, period): two identical rules share one ledger row.
        const seen = new Set<string>();
        const distinct = rules.filter((r) => {
          const key = `${r.tool}|${r.unit}|${r.action ?? "*"}|${r.period}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        const store = openSqliteStore({ dataDir: ":memory:" });
        try {
          const ledger = store.budgets;
          const usageNow = () =>
            Promise.all(
              AGENTS.flatMap((agentId) =>
                distinct.map(async (r) => ({
                  r,
                  agentId,
                  used: await ledger.usage(
                    agentId,
                    `${r.tool}|${r.unit}|${r.action ?? "*"}`,
                    r.period === "day" ? "2026-11-22" : "2026-11",
                  ),
                })),
              ),
            );
          const checkLimits = async () => {
            for (const { r, agentId, used } of await usageNow()) {
              assert.ok(used <= r.limit, `${agentId} ${JSON.stringify(r)}: ${used} > ${r.limit}`);
            }
          };
          // Every store operation waits for the scheduler, and the limits are checked after each one.
          const scheduled: BudgetStore = {
            ...ledger,
            reserve: async (input) => {
              await s.schedule(Promise.resolve(), `reserve ${input.agentId} ${input.key} ${input.amount}`);
              const reservation = await ledger.reserve(input);
              await checkLimits();
              return reservation;
            },
            settle: async (reservation, used) => {
              await s.schedule(Promise.resolve(), `settle ${used}`);
              await ledger.settle(reservation, used);
              await checkLimits();
            },
          };
          const config = configSchema.parse({ rateLimits: { tiers: { default: { budgets: distinct } } } });
          const budgets = createBudgets(config, scheduled, { nowSeconds: () => NOW });

          const admitted: Call[] = [];
          const runs = calls.map(async (c) => {
            let hold: Awaited<ReturnType<typeof budgets.reserve>>;
            try {
              hold = await budgets.reserve({
                agent: { id: c.agent, tier: "default" },
                tool: c.target.tool,
                action: c.target.action,
                estimate: c.estimate,
              });
            } catch (error) {
              assert.ok(error instanceof GatewayError && error.code === "budget_exceeded", String(error));
              return;
            }
            admitted.push(c);
            await budgets.settle(hold, { ok: c.ok, tokens: c.reported });
          });
          await s.waitFor(Promise.all(runs));

          for (const { r, agentId, used } of await usageNow()) {
            const truth = admitted
              .filter((c) => c.agent === agentId && matches(r, c))
              .reduce((sum, c) => sum + expectedUse(r, c), 0);
            assert.equal(used, truth, `${agentId} ${JSON.stringify(r)}`);
          }
        } finally {
          await store.close();
        }
      },
    ),
    { numRuns: 150 },
  );
});
