// Property test (fast-check) for budgets on both ledgers: whatever the budgets, the calls and the
// order in which the ledger's commits and counter reads from the store complete (fast-check's
// scheduler picks the order of every one), at every moment
// - the amount used plus held never exceeds a limit, and
// - the store's durable count (what a restarted gateway, or a Redis that lost its data, starts
//   from) is at least what the calls let through so far can have spent: a crash at any moment
//   never forgets a forwarded hold;
// and once every call has settled, the ledger and the store hold exactly what the admitted
// calls really used. Usage reported by an upstream is at most what the call reserved: the
// pipeline makes each reservation an upper bound the agent cannot lower.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { createRecordWriter } from "../audit/record-writer.js";
import { configSchema } from "../config.js";
import { GatewayError } from "../errors.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import { budgetLogOf } from "./budget-ledger.js";
import { createBudgets } from "./budgets.js";
import { LEDGER_KINDS } from "./testing/ledgers.js";

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

/** What a call holds on a rule's counter before it settles. */
const heldBy = (r: Rule, c: Call) => (r.unit === "calls" ? 1 : c.estimate);

/** What a settled call leaves on a rule's ledger (budgets.ts: failed calls use nothing unless usage says so). */
function expectedUse(r: Rule, c: Call): number {
  if (r.unit === "calls") return c.ok ? 1 : 0;
  if (!c.ok) return c.reported ?? 0;
  return c.reported ?? c.estimate;
}

const counterKey = (r: Rule) => `${r.tool}|${r.unit}|${r.action ?? "*"}`;
const periodOf = (r: Rule) => (r.period === "day" ? "2026-11-22" : "2026-11");

for (const kind of LEDGER_KINDS) {
  test(`${kind.name} ledger: random interleavings never exceed a budget, never forget a forwarded hold, and settle to the truth`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rule, { minLength: 1, maxLength: 4 }),
        fc.array(call, { minLength: 1, maxLength: 25 }),
        fc.scheduler(),
        async (rules, calls, s) => {
          // One rule per (tool, unit, action, period): two identical rules share one counter.
          const seen = new Set<string>();
          const distinct = rules.filter((r) => {
            const key = `${counterKey(r)}|${r.period}`;
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
          });
          const store = openSqliteStore({ dataDir: ":memory:" });
          /** Calls whose hold resolved (so they were forwarded), and whether their settle began. */
          const forwarded: Array<{ c: Call; settling: boolean }> = [];
          const counters = () =>
            AGENTS.flatMap((agentId) =>
              distinct.map((r) => ({
                r,
                agentId,
                key: { agentId, key: counterKey(r), period: periodOf(r) },
              })),
            );
          let fixture: Awaited<ReturnType<(typeof kind)["open"]>> | undefined;
          const check = async () => {
            const used = await fixture!.ledger.usage(counters().map((x) => x.key));
            for (const [i, { r, agentId, key }] of counters().entries()) {
              assert.ok(used[i]! <= r.limit, `${agentId} ${JSON.stringify(r)}: ${used[i]} > ${r.limit}`);
              const spent = forwarded
                .filter(({ c }) => c.agent === agentId && matches(r, c))
                .reduce(
                  (sum, { c, settling }) =>
                    sum + (settling ? Math.min(heldBy(r, c), expectedUse(r, c)) : heldBy(r, c)),
                  0,
                );
              const durable = await store.budgets.count(key.agentId, key.key, key.period);
              assert.ok(
                durable >= spent,
                `${agentId} ${JSON.stringify(r)}: the store counts ${durable} < ${spent} let through`,
              );
            }
          };
          // Every commit and every counter read waits for the scheduler; the invariants are checked
          // after each commit.
          const records = budgetLogOf(createRecordWriter(store.records));
          try {
            fixture = await kind.open({
              store,
              durable: {
                async write(deltas) {
                  await s.schedule(Promise.resolve(), `commit ${deltas.map((d) => d.delta).join(",")}`);
                  await records.write(deltas);
                  await check();
                },
              },
              counts:
                kind.name === "shared"
                  ? store.budgets
                  : {
                      async count(agentId, key, period) {
                        await s.schedule(Promise.resolve(), `count ${agentId} ${key}`);
                        return store.budgets.count(agentId, key, period);
                      },
                    },
            });
            const config = configSchema.parse({ rateLimits: { tiers: { default: { budgets: distinct } } } });
            const budgets = createBudgets(config, fixture.ledger, { nowSeconds: () => NOW });

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
              const entry = { c, settling: false };
              forwarded.push(entry);
              await check();
              entry.settling = true;
              await budgets.settle(hold, { ok: c.ok, tokens: c.reported });
            });
            await s.waitFor(Promise.all(runs));

            // Counters no call has read yet are read now, through the scheduler too.
            const used = await s.waitFor(fixture.ledger.usage(counters().map((x) => x.key)));
            for (const [i, { r, agentId, key }] of counters().entries()) {
              const truth = admitted
                .filter((c) => c.agent === agentId && matches(r, c))
                .reduce((sum, c) => sum + expectedUse(r, c), 0);
              assert.equal(used[i], truth, `ledger ${agentId} ${JSON.stringify(r)}`);
              assert.equal(
                await store.budgets.count(key.agentId, key.key, key.period),
                truth,
                `store ${agentId}`,
              );
            }
          } finally {
            await fixture?.close();
            await store.close();
          }
        },
      ),
      { numRuns: Number(process.env.RUNS ?? (kind.name === "local" ? 150 : 40)) },
    );
  });
}
