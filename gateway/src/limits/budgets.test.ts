import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type ConfigInput, configSchema } from "../config.js";
import { GatewayError } from "../errors.js";
import type { BudgetLedger } from "./budget-ledger.js";
import { type BudgetsOptions, createBudgets } from "./budgets.js";
import { LEDGER_KINDS, type LedgerFixture } from "./testing/ledgers.js";

type Tiers = NonNullable<NonNullable<ConfigInput["rateLimits"]>["tiers"]>;

let now: number;

const agent = { id: "agt_1", tier: "default" };
const send = { agent, tool: "gmail", action: "messages.send" };
const chat = { agent, tool: "openai", action: "chat.completions.create" };

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GatewayError);
    return error;
  }
  assert.fail("expected budget_exceeded");
}

for (const kind of LEDGER_KINDS)
  describe(`createBudgets on the ${kind.name} ledger`, () => {
    let fixture: LedgerFixture;
    beforeEach(async () => {
      fixture = await kind.open();
      now = Date.parse("2026-11-22T12:00:00Z") / 1000;
    });
    afterEach(() => fixture.close());

    function budgets(tiers: Tiers, options: BudgetsOptions = {}) {
      return createBudgets(configSchema.parse({ rateLimits: { tiers } }), fixture.ledger, {
        nowSeconds: () => now,
        ...options,
      });
    }

    it("never lets 40 parallel calls overshoot a budget of 7", async () => {
      const b = budgets({
        default: { budgets: [{ tool: "gmail", action: "messages.send", period: "day", limit: 7 }] },
      });
      const outcomes = await Promise.allSettled(Array.from({ length: 40 }, () => b.reserve(send)));
      const admitted = outcomes.filter((o) => o.status === "fulfilled");
      const refused = outcomes.filter((o) => o.status === "rejected");
      assert.equal(admitted.length, 7);
      assert.equal(refused.length, 33);
      for (const o of refused) assert.equal((o.reason as GatewayError).code, "budget_exceeded");
      const [usage] = await b.usageFor(agent);
      assert.deepEqual(usage, {
        tool: "gmail",
        unit: "calls",
        action: "messages.send",
        period: "day",
        periodKey: "2026-11-22",
        used: 7,
        limit: 7,
      });
    });

    it("refuses with Retry-After pointing at the next period", async () => {
      const b = budgets({ default: { budgets: [{ tool: "gmail", period: "day", limit: 1 }] } });
      await b.reserve(send);
      const error = await refusal(b.reserve(send));
      assert.equal(error.status, 429);
      assert.equal(error.headers["Retry-After"], String(12 * 3600));
      assert.match(error.detail, /daily budget of 1 calls for gmail/);
      assert.doesNotMatch(error.detail, /agt_1/);
    });

    it("counts only the configured action, and gives failed calls back", async () => {
      const b = budgets({
        default: { budgets: [{ tool: "gmail", action: "messages.send", period: "month", limit: 2 }] },
      });
      const list = await b.reserve({ ...send, action: "messages.list" });
      assert.equal(list.entries.length, 0, "messages.list is not budgeted");
      await b.settle(list, { ok: true });

      const failed = await b.reserve(send);
      await b.settle(failed, { ok: false });
      const sent = await b.reserve(send);
      await b.settle(sent, { ok: true });
      assert.equal((await b.usageFor(agent))[0]?.used, 1);
      assert.equal((await b.usageFor(agent))[0]?.periodKey, "2026-11");
    });

    it("reserves the token estimate and settles with the real usage", async () => {
      const settled: unknown[] = [];
      const b = budgets(
        { default: { budgets: [{ tool: "openai", unit: "tokens", period: "day", limit: 1000 }] } },
        { defaultTokenEstimate: 250, onSettle: (s) => settled.push(s) },
      );
      const hold = await b.reserve({ ...chat, estimate: 600 });
      assert.equal((await b.usageFor(agent))[0]?.used, 600, "the estimate is held while the call runs");
      await refusal(b.reserve({ ...chat, estimate: 500 }));

      await b.settle(hold, { ok: true, tokens: 123 });
      await b.settle(hold, { ok: true, tokens: 999 }); // a second settle changes nothing
      assert.equal((await b.usageFor(agent))[0]?.used, 123);
      assert.deepEqual(settled, [{ agentId: "agt_1", tool: "openai", unit: "tokens", amount: 123 }]);

      const noCap = await b.reserve(chat);
      assert.equal((await b.usageFor(agent))[0]?.used, 123 + 250, "no cap in the request: the default");
      await b.settle(noCap, { ok: true }); // usage not reported: the estimate stands
      assert.equal((await b.usageFor(agent))[0]?.used, 373);

      const failed = await b.reserve({ ...chat, estimate: 500 });
      await b.settle(failed, { ok: false });
      assert.equal((await b.usageFor(agent))[0]?.used, 373, "a failed call is released");
    });

    it("holds 40 parallel token reservations within the limit", async () => {
      const b = budgets({
        default: { budgets: [{ tool: "openai", unit: "tokens", period: "day", limit: 1000 }] },
      });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 40 }, () => b.reserve({ ...chat, estimate: 90 })),
      );
      assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 11);
      assert.equal((await b.usageFor(agent))[0]?.used, 990);
    });

    it("is all or nothing across budgets: a refusal releases what the call held", async () => {
      const b = budgets({
        default: {
          budgets: [
            { tool: "openai", unit: "calls", period: "day", limit: 100 },
            { tool: "openai", unit: "tokens", period: "month", limit: 100 },
          ],
        },
      });
      await refusal(b.reserve({ ...chat, estimate: 500 }));
      const usage = await b.usageFor(agent);
      assert.deepEqual(
        usage.map((u) => [u.unit, u.period, u.used]),
        [
          ["calls", "day", 0],
          ["tokens", "month", 0],
        ],
      );
    });

    it("starts afresh when the period rolls over", async () => {
      const b = budgets({ default: { budgets: [{ tool: "gmail", period: "day", limit: 1 }] } });
      await b.settle(await b.reserve(send), { ok: true });
      await refusal(b.reserve(send));
      now = Date.parse("2026-11-23T00:00:00Z") / 1000;
      assert.deepEqual(
        (await b.usageFor(agent)).map((u) => [u.periodKey, u.used]),
        [["2026-11-23", 0]],
      );
      await b.reserve(send);
    });

    it("uses the agent's tier, the default tier for unknown tiers, and keeps agents apart", async () => {
      const b = budgets({
        default: { budgets: [{ tool: "gmail", period: "day", limit: 1 }] },
        trusted: { budgets: [] },
      });
      for (let i = 0; i < 3; i++) await b.reserve({ ...send, agent: { id: "agt_t", tier: "trusted" } });
      const stranger = { id: "agt_x", tier: "unheard-of" };
      await b.reserve({ ...send, agent: stranger });
      await refusal(b.reserve({ ...send, agent: stranger }));
      await b.reserve(send);
      assert.deepEqual(await b.usageFor({ id: "agt_t", tier: "trusted" }), []);
    });

    it("validates its options when created", () => {
      assert.throws(() => budgets({}, { defaultTokenEstimate: 0 }), /defaultTokenEstimate/);
    });
  });

describe("countsTokens", () => {
  it("is true only when a tokens budget matches the agent's tier, tool and action", () => {
    const config = configSchema.parse({
      rateLimits: {
        tiers: {
          default: { budgets: [{ tool: "gmail", unit: "calls", period: "day", limit: 5 }] },
          metered: {
            budgets: [
              { tool: "openai", unit: "tokens", action: "chat.completions.create", period: "day", limit: 9 },
            ],
          },
        },
      },
    });
    const unused = {} as BudgetLedger; // countsTokens reads the configuration only
    const budgets = createBudgets(config, unused);
    assert.equal(budgets.countsTokens({ tier: "metered" }, "openai", "chat.completions.create"), true);
    assert.equal(budgets.countsTokens({ tier: "metered" }, "openai", "embeddings.create"), false);
    assert.equal(budgets.countsTokens({ tier: "default" }, "gmail", "messages.send"), false);
    assert.equal(budgets.countsTokens({ tier: "unknown" }, "openai", "chat.completions.create"), false);
  });
});
