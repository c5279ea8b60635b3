import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { parseList } from "structured-headers";
import { type ConfigInput, configSchema } from "../config.js";
import { GatewayError } from "../errors.js";
import { createFlexibleRateLimiter } from "./flexible-rate-limiter.js";
import { createMemoryRateLimiter } from "./memory-rate-limiter.js";
import type { RateLimiter } from "./rate-limiter.js";
import { createRateLimits, type RateLimitsOptions } from "./rate-limits.js";

type RateLimitsInput = NonNullable<ConfigInput["rateLimits"]>;

// The same behaviour from the single-process limiter (the default) and the rate-limiter-flexible one
// (what the Redis limiter is built from).
const LIMITERS: Array<[string, () => RateLimiter]> = [
  ["memory", () => createMemoryRateLimiter()],
  ["rate-limiter-flexible", () => createFlexibleRateLimiter()],
];

/** RateLimit-Policy / RateLimit as {name → params}, parsed as Structured Fields Lists. */
function parsed(header: string | undefined): Map<string, Record<string, unknown>> {
  assert.ok(header, "header present");
  const out = new Map<string, Record<string, unknown>>();
  for (const member of parseList(header)) {
    const [name, params] = member;
    assert.equal(typeof name, "string", "policy names are sf-strings");
    out.set(name as string, Object.fromEntries(params));
  }
  return out;
}

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GatewayError);
    return error;
  }
  assert.fail("expected the call to be refused");
}

const agent = { id: "agt_1", tier: "default" };

for (const [name, makeLimiter] of LIMITERS) {
  describe(`createRateLimits (${name} limiter)`, () => {
    function limits(rateLimits: RateLimitsInput, options?: RateLimitsOptions) {
      return createRateLimits(configSchema.parse({ rateLimits }), { limiter: makeLimiter(), ...options });
    }

    it("admits a burst, then refuses with Retry-After and draft-10 RateLimit fields", async () => {
      const rl = limits({ tiers: { default: { perAgent: { points: 6, windowSeconds: 2, burst: 3 } } } });
      const remaining: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const headers = await rl.checkAgent(agent);
        assert.deepEqual(parsed(headers["RateLimit-Policy"]).get("agent"), { q: 6, w: 2 });
        remaining.push(parsed(headers.RateLimit).get("agent")?.r);
      }
      assert.deepEqual(remaining, [2, 1, 0]);

      const error = await refusal(rl.checkAgent(agent));
      assert.equal(error.code, "rate_limited");
      assert.equal(error.status, 429);
      assert.match(error.headers["Retry-After"] ?? "", /^[1-9]\d*$/);
      const retryAfter = Number(error.headers["Retry-After"]);
      assert.ok(retryAfter <= 1, `burst window is 1 s, got ${retryAfter}`);
      assert.deepEqual(parsed(error.headers["RateLimit-Policy"]).get("agent"), { q: 6, w: 2 });
      const state = parsed(error.headers.RateLimit).get("agent");
      assert.equal(state?.r, 0);
      assert.ok(Number(state?.t) <= retryAfter, "Retry-After never earlier than t");
      assert.doesNotMatch(JSON.stringify(error.headers), /agt_1/, "no agent id in headers");
      assert.doesNotMatch(error.detail, /agt_1/);
    });

    it("recovers after the window", async () => {
      const rl = limits({ tiers: { default: { perAgent: { points: 2, windowSeconds: 1, burst: 2 } } } });
      await rl.checkAgent(agent);
      await rl.checkAgent(agent);
      await refusal(rl.checkAgent(agent));
      await sleep(1100);
      const headers = await rl.checkAgent(agent);
      assert.equal(parsed(headers.RateLimit).get("agent")?.r, 1);
    });

    it("holds the sustained rate after the burst window refills", async () => {
      // burst 2 per 2 s, but only 3 per 3 s overall
      const rl = limits({ tiers: { default: { perAgent: { points: 3, windowSeconds: 3, burst: 2 } } } });
      await rl.checkAgent(agent);
      await rl.checkAgent(agent);
      await refusal(rl.checkAgent(agent)); // burst spent; this refusal costs no sustained quota
      await sleep(2150); // the burst window has refilled; the sustained one has ~0.85 s left
      await rl.checkAgent(agent); // third of the sustained 3
      const error = await refusal(rl.checkAgent(agent)); // burst has room, sustained does not
      assert.equal(parsed(error.headers.RateLimit).get("agent")?.r, 0);
      assert.equal(error.headers["Retry-After"], "1");
    });

    it("isolates tools: one tool's limit leaves other tools and agents alone", async () => {
      const refused: string[] = [];
      const rl = limits(
        {
          tiers: {
            default: {
              perAgent: { points: 100, windowSeconds: 60, burst: 100 },
              perTool: { points: 2, windowSeconds: 60, burst: 2 },
            },
          },
        },
        { onRefused: (policy, agentId) => refused.push(`${policy}:${agentId}`) },
      );
      await rl.checkTool(agent, "openai");
      const second = await rl.checkTool(agent, "openai");
      assert.deepEqual([...parsed(second["RateLimit-Policy"]).keys()], ["agent-tool"]);
      assert.deepEqual(parsed(second.RateLimit).get("agent-tool"), { r: 0, t: 60 });

      const error = await refusal(rl.checkTool(agent, "openai"));
      assert.deepEqual(
        [...parsed(error.headers["RateLimit-Policy"]).entries()],
        [["agent-tool", { q: 2, w: 60 }]],
      );
      assert.deepEqual(refused, ["agent-tool:agt_1"]);

      const other = await rl.checkTool(agent, "gmail");
      assert.equal(parsed(other.RateLimit).get("agent-tool")?.r, 1);
      // The agent limit is its own check, untouched by tool calls.
      assert.equal(parsed((await rl.checkAgent(agent)).RateLimit).get("agent")?.r, 99);
      await rl.checkTool({ id: "agt_2", tier: "default" }, "openai");
    });

    it("applies the agent's tier, and the default tier to unknown tiers", async () => {
      const rl = limits({
        tiers: {
          default: { perAgent: { points: 1, windowSeconds: 60, burst: 1 } },
          trusted: { perAgent: { points: 5, windowSeconds: 60, burst: 5 } },
        },
      });
      const trusted = { id: "agt_t", tier: "trusted" };
      for (let i = 0; i < 5; i++) await rl.checkAgent(trusted);
      await refusal(rl.checkAgent(trusted));

      const unknown = { id: "agt_u", tier: "platinum" };
      const headers = await rl.checkAgent(unknown);
      assert.deepEqual(parsed(headers["RateLimit-Policy"]).get("agent"), { q: 1, w: 60 });
      await refusal(rl.checkAgent(unknown));
    });

    it("lets a policy obligation replace the agent+tool rule", async () => {
      const rl = limits({ tiers: { default: { perAgent: { points: 100, windowSeconds: 60, burst: 100 } } } });
      assert.deepEqual(await rl.checkTool(agent, "serpapi"), {}, "no per-tool rule in the tier");

      const override = { points: 1, duration_seconds: 30 };
      const first = await rl.checkTool(agent, "serpapi", override);
      assert.deepEqual(parsed(first["RateLimit-Policy"]).get("agent-tool"), { q: 1, w: 30 });
      const error = await refusal(rl.checkTool(agent, "serpapi", override));
      assert.equal(parsed(error.headers.RateLimit).get("agent-tool")?.r, 0);
      assert.ok(Number(error.headers["Retry-After"]) > 25);
      await rl.checkTool(agent, "serpapi"); // without the obligation the tier's rules apply again
    });

    it("limits unauthenticated failures per source address", async () => {
      const rl = limits({ unauthenticatedPerIp: { points: 2, windowSeconds: 60, burst: 2 } });
      await rl.checkUnauthenticatedIp("192.0.2.1");
      const headers = await rl.checkUnauthenticatedIp("192.0.2.1");
      assert.deepEqual(parsed(headers.RateLimit).get("ip"), { r: 0, t: 60 });
      const error = await refusal(rl.checkUnauthenticatedIp("192.0.2.1"));
      assert.deepEqual([...parsed(error.headers["RateLimit-Policy"]).keys()], ["ip"]);
      await rl.checkUnauthenticatedIp("192.0.2.2");
    });

    it("refuses at creation a rule it cannot enforce", () => {
      const config = configSchema.parse({});
      const broken = {
        rateLimits: {
          ...config.rateLimits,
          tiers: {
            default: { perAgent: { points: 0, windowSeconds: 60, burst: 1 }, concurrency: 16, budgets: [] },
          },
        },
      };
      assert.throws(() => createRateLimits(broken), /tiers\.default\.perAgent\.points/);
    });
  });
}
