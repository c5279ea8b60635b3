// Budgets across crashes and lost shared state: whatever happens to a gateway process or to
// Redis, the limit holds (never an overspend). A gateway killed with SIGKILL while budgeted calls
// are at the upstream still counts them after its restart; with two gateways, a Redis flushed
// mid-period (FLUSHALL) or stopped and restarted without its data answers 503 store_unavailable
// for a moment, then rebuilds each counter from PostgreSQL's count and refuses past the limit.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { startRedis, type TestRedis } from "../../scripts/test-services.mjs";
import { type AllFakes, buildMessage, startAllFakes } from "../fakes/index.js";
import {
  assertProblemShape,
  type CallResult,
  type RegisteredAgent,
  registerAgent,
  signedCall,
} from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { allowAllPolicy, policyFolder, writeConfig } from "../support/policies.js";
import { type SharedGateways, startSharedGateways } from "../support/shared-gateways.js";
import { getToken } from "../support/tokens.js";

const SEND = "/v1/tools/gmail/gmail/v1/users/me/messages/send";
const BIG = { points: 1000, windowSeconds: 60, burst: 1000 };
const config = (limit: number) => ({
  // Short signature windows: after Redis lost its data, replay checks wait them out.
  signature: { maxAgeSeconds: 3, skewSeconds: 1 },
  rateLimits: {
    tiers: {
      default: {
        perAgent: BIG,
        budgets: [{ tool: "gmail", unit: "calls", action: "messages.send", period: "day", limit }],
      },
    },
  },
});
const message = () => ({
  raw: Buffer.from(
    buildMessage({ from: "a@example.com", to: "b@example.com", subject: "durable", text: "x" }),
  ).toString("base64url"),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sendsReceived = (fakes: AllFakes) =>
  fakes.gmail.received.filter((r) => r.path.endsWith("/messages/send")).length;

let fakes: AllFakes;
let policyDir: string;
before(async () => {
  fakes = await startAllFakes();
  policyDir = policyFolder(allowAllPolicy());
});
after(() => fakes.close());

describe("one gateway killed with SIGKILL while budgeted calls are at the upstream", () => {
  let gw: GatewayProcess;
  after(async () => {
    await gw?.stop();
    gw?.cleanup();
    fakes.gmail.reset();
  });

  it("counts every forwarded hold after the restart: the count is not lower", async () => {
    gw = await startGateway({
      env: { ...fakes.env, AGENTGW_POLICY: policyDir },
      args: ["--config", writeConfig(config(4))],
    });
    const agent = await registerAgent(gw);
    const send = async (g: GatewayProcess) => {
      const { token } = await getToken(g, agent.key, { tool: "gmail", scopes: ["gmail:send"] });
      return signedCall(g.url, agent.key, {
        path: SEND,
        json: message(),
        headers: { authorization: `Bearer ${token}` },
      });
    };
    assert.equal((await send(gw)).status, 200, "one send settles normally");

    fakes.gmail.behave({ hang: true });
    const before = sendsReceived(fakes);
    const inFlight = [send(gw), send(gw)].map((p) => p.catch(() => null));
    const deadline = Date.now() + 30_000;
    while (sendsReceived(fakes) < before + 2) {
      assert.ok(Date.now() < deadline, "both sends reached the upstream");
      await sleep(20);
    }
    // Both holds were forwarded, neither settled: the process dies now.
    await gw.stop("SIGKILL");
    await Promise.all(inFlight);
    fakes.gmail.reset();

    gw = await gw.restart();
    const results: CallResult[] = [];
    for (let i = 0; i < 3; i++) results.push(await send(gw));
    // 1 settled + 2 held when killed = 3 of 4: exactly one more goes through.
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 429, 429],
      JSON.stringify(results.map((r) => r.body)),
    );
    assertProblemShape(results[2]!, 429, "budget_exceeded");
  });
});

describe("two gateways whose Redis loses its data mid-period", () => {
  let redis: TestRedis;
  let gws: SharedGateways;
  before(async () => {
    redis = await startRedis();
    gws = await startSharedGateways({
      redisUrl: redis.url,
      env: { ...fakes.env, AGENTGW_POLICY: policyDir },
      args: ["--config", writeConfig(config(6))],
    });
  });
  after(async () => {
    await gws?.stop();
    await redis?.close();
  });

  async function gmailToken(agent: RegisteredAgent, i: number): Promise<string> {
    const res = await gws.call(i, agent.key, {
      path: "/v1/tokens",
      json: { tool: "gmail", scopes: ["gmail:send"] },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.token;
  }

  const redisCli = (...args: string[]) =>
    execFileSync("redis-cli", ["-p", String(redis.port), ...args], { encoding: "utf8" }).trim();

  /** Sends until an answer is not 503 store_unavailable (Redis lost its data: the fences run). */
  async function sendPastTheFences(agent: RegisteredAgent, token: string, i: number): Promise<CallResult> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await gws.call(i, agent.key, {
        path: SEND,
        json: message(),
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 503) return res;
      assertProblemShape(res, 503, "store_unavailable");
      assert.ok(Number(res.headers.get("retry-after")) >= 1);
      assert.ok(Date.now() < deadline, "service resumed");
      await sleep(250);
    }
  }

  it("FLUSHALL: budgeted calls wait for the fence, then the counter re-seeds from PostgreSQL and the limit holds", async () => {
    const agent = await registerAgent(gws.instances[0]!);
    const token = await gmailToken(agent, 1);
    const auth = { authorization: `Bearer ${token}` };
    const sentBefore = fakes.gmail.sent.length;
    const first = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        gws.call(i % 2, agent.key, { path: SEND, json: message(), headers: auth }),
      ),
    );
    assert.deepEqual(
      first.map((r) => r.status),
      [200, 200, 200, 200],
    );
    // The counter is in Redis (the shared ledger), one for both gateways.
    const keys = redisCli("--scan", "--pattern", `${gws.env.AGENTGW_REDIS_KEY_PREFIX}budget:*`).split("\n");
    assert.equal(keys.length, 1, keys.join(","));
    assert.equal(redisCli("GET", keys[0]!), "4");

    assert.equal(redisCli("FLUSHALL"), "OK");
    const fifth = await sendPastTheFences(agent, token, 0);
    assert.equal(fifth.status, 200, JSON.stringify(fifth.body));
    assert.equal(redisCli("GET", keys[0]!), "5", "re-seeded from PostgreSQL's 4, plus this hold");

    const burst = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        gws.call(i % 2, agent.key, { path: SEND, json: message(), headers: auth }),
      ),
    );
    assert.equal(burst.filter((r) => r.status === 200).length, 1, burst.map((r) => r.status).join(","));
    for (const r of burst.filter((x) => x.status !== 200)) assertProblemShape(r, 429, "budget_exceeded");
    assert.equal(fakes.gmail.sent.length - sentBefore, 6, "never more sends than the limit");
  });

  it("Redis stopped: 503 store_unavailable; restarted without its data: recovers, and the spent budget stays spent", async () => {
    const agent = await registerAgent(gws.instances[0]!);
    const token = await gmailToken(agent, 0);
    const auth = { authorization: `Bearer ${token}` };
    for (let i = 0; i < 6; i++) {
      const res = await sendPastTheFences(agent, token, i % 2);
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    await redis.stop();
    const down = await gws.call(1, agent.key, { path: SEND, json: message(), headers: auth });
    assertProblemShape(down, 503, "store_unavailable");
    await redis.start();
    const afterRestart = await sendPastTheFences(agent, token, 1);
    assertProblemShape(afterRestart, 429, "budget_exceeded");
    const other = await sendPastTheFences(agent, token, 0);
    assertProblemShape(other, 429, "budget_exceeded");
  });
});
