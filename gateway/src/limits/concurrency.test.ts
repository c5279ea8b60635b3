import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configSchema } from "../config.js";
import { GatewayError } from "../errors.js";
import { createCallConcurrency } from "./concurrency.js";

const config = configSchema.parse({
  rateLimits: { tiers: { default: { concurrency: 2 }, wide: { concurrency: 3 } } },
});

describe("createCallConcurrency", () => {
  it("admits up to the tier's bound per agent and tool, refuses the next with 429, frees on release", async () => {
    const refused: string[] = [];
    const gate = createCallConcurrency(config, { onRefused: (id) => refused.push(id) });
    const a = { id: "agt_a", tier: "default" };
    const first = await gate.enter(a, "openai");
    await gate.enter(a, "openai");
    await assert.rejects(
      gate.enter(a, "openai"),
      (e: unknown) =>
        e instanceof GatewayError && e.code === "rate_limited" && e.headers["Retry-After"] === "1",
    );
    assert.deepEqual(refused, ["agt_a"]);
    // Other tools and other agents are not affected.
    await gate.enter(a, "gmail");
    await gate.enter({ id: "agt_b", tier: "default" }, "openai");
    first();
    first(); // a second release does nothing
    await gate.enter(a, "openai");
    await assert.rejects(gate.enter(a, "openai"));
  });

  it("uses the agent's tier, and the default tier for unknown tiers", async () => {
    const gate = createCallConcurrency(config);
    for (let i = 0; i < 3; i++) await gate.enter({ id: "w", tier: "wide" }, "http");
    await assert.rejects(gate.enter({ id: "w", tier: "wide" }, "http"));
    for (let i = 0; i < 2; i++) await gate.enter({ id: "u", tier: "platinum" }, "http");
    await assert.rejects(gate.enter({ id: "u", tier: "platinum" }, "http"));
  });
});
