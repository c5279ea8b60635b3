// Faults of the shared servers (contract section 12): Redis stopped under load answers the
// documented fail-closed 503 store_unavailable, /readyz and /metrics say so, nothing
// crashes, and service resumes by itself when Redis is back; PostgreSQL restarted under
// writes loses no acknowledged write and the audit chain still verifies.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateKeyPair, toBase64Url } from "@agentgw/sdk";
import {
  startPostgres,
  startRedis,
  type TestPostgres,
  type TestRedis,
} from "../../scripts/test-services.mjs";
import { type AllFakes, startAllFakes } from "../fakes/index.js";
import { assertProblemShape, registerAgent } from "../support/agents.js";
import { allowAllPolicy, policyFolder, writeConfig } from "../support/policies.js";
import { type SharedGateways, startSharedGateways } from "../support/shared-gateways.js";

const METRICS_TOKEN = "metrics-bearer-token-for-fault-tests";
// Short signature windows: after Redis comes back without its data, claims wait them out.
// No policy watching: a policy reaches another instance only through the reload announcement.
const CONFIG = { signature: { maxAgeSeconds: 3, skewSeconds: 1 }, policy: { watch: false } };
const models = "/v1/tools/openai/v1/models";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let fakes: AllFakes;
before(async () => {
  fakes = await startAllFakes();
});
after(() => fakes.close());

async function metric(url: string, pattern: RegExp): Promise<number> {
  const text = await (
    await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text();
  const line = text.split("\n").find((l) => pattern.test(l));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

describe("Redis stopped during load", () => {
  let redis: TestRedis;
  let gws: SharedGateways;
  let policyDir: string;
  before(async () => {
    redis = await startRedis();
    policyDir = policyFolder(allowAllPolicy());
    gws = await startSharedGateways({
      redisUrl: redis.url,
      env: {
        ...fakes.env,
        AGENTGW_POLICY: policyDir,
        AGENTGW_METRICS_TOKEN: METRICS_TOKEN,
      },
      args: ["--config", writeConfig(CONFIG)],
    });
  });
  after(async () => {
    await gws?.stop();
    await redis?.close();
  });

  it("fails closed with 503 store_unavailable, reports it, and recovers without a restart", async () => {
    const agent = await registerAgent(gws.instances[0]!);
    const issued = await gws.call(0, agent.key, {
      path: "/v1/tokens",
      json: { tool: "openai", scopes: ["openai:models"] },
    });
    assert.equal(issued.status, 201);
    const auth = { authorization: `Bearer ${issued.body.token}` };

    const answers: Array<{ status: number; code: string; retryAfter: string | null }> = [];
    let loading = true;
    const load = async (lane: number) => {
      for (let i = 0; loading; i++) {
        const res = await gws.call((lane + i) % 2, agent.key, { path: models, headers: auth });
        answers.push({
          status: res.status,
          code: res.body?.code ?? "ok",
          retryAfter: res.headers.get("retry-after"),
        });
        if (res.status !== 200) assertProblemShape(res, 503, "store_unavailable");
        await sleep(20);
      }
    };
    const lanes = [0, 1, 2].map(load);
    await sleep(500);
    await redis.stop();

    for (let i = 0; i < 100 && !answers.some((a) => a.code === "store_unavailable"); i++) await sleep(50);
    const refused = answers.filter((a) => a.code === "store_unavailable");
    assert.ok(refused.length > 0, "calls are refused while Redis is down");
    assert.ok(
      refused.every((a) => Number(a.retryAfter) >= 1),
      "with Retry-After",
    );
    for (const gw of gws.instances) {
      const ready = await fetch(`${gw.url}/readyz`);
      const body = await ready.json();
      assert.equal(ready.status, 503);
      assert.equal(body.checks.redis, false);
      assert.match(body.detail, /redis/);
      assert.equal((await fetch(`${gw.url}/healthz`)).status, 200, "alive: nothing crashed");
    }
    assert.equal(await metric(gws.instances[0]!.url, /^agentgw_dependency_up\{dependency="redis"\}/), 0);
    assert.ok(
      (await metric(gws.instances[0]!.url, /^agentgw_requests_total\{.*code="store_unavailable"/)) > 0,
    );

    await redis.start();
    const since = answers.length;
    for (let i = 0; i < 300 && !answers.slice(since).some((a) => a.status === 200); i++) await sleep(50);
    loading = false;
    await Promise.all(lanes);
    assert.ok(
      answers.slice(since).some((a) => a.status === 200),
      "calls succeed again after Redis is back",
    );
    for (const gw of gws.instances) {
      assert.equal((await fetch(`${gw.url}/readyz`)).status, 200);
    }
    assert.equal(await metric(gws.instances[1]!.url, /^agentgw_dependency_up\{dependency="redis"\}/), 1);
    assert.deepEqual(new Set(answers.map((a) => a.code)), new Set(["ok", "store_unavailable"]));
  });

  it("a policy reload announced while Redis is down reaches the other instance once Redis is back", async () => {
    const revision = async (i: number) =>
      (await gws.instances[i]!.admin("GET", "/admin/policy")).body.revision;
    const before = await revision(1);
    await redis.stop();
    // Both instances must have lost the channel before the reload, or the announcement could still get through.
    for (let i = 0; i < 100; i++) {
      const ready = await Promise.all(gws.instances.map((gw) => fetch(`${gw.url}/readyz`)));
      if (ready.every((r) => r.status === 503)) break;
      await sleep(50);
    }
    writeFileSync(join(policyDir, "policy.rego"), `${allowAllPolicy()}\n# reloaded while Redis was down\n`);
    try {
      const reload = await gws.instances[0]!.admin("POST", "/admin/policy/reload");
      assert.equal(reload.status, 200, JSON.stringify(reload.body));
      assert.notEqual(reload.body.revision, before);
      await redis.start();
      let other = before;
      for (let i = 0; i < 300 && other !== reload.body.revision; i++) {
        await sleep(50);
        other = await revision(1);
      }
      assert.equal(other, reload.body.revision, "the other instance caught up without a restart");
    } finally {
      writeFileSync(join(policyDir, "policy.rego"), allowAllPolicy());
    }
  });
});

describe("PostgreSQL restarted during writes", () => {
  let pg: TestPostgres;
  let gws: SharedGateways;
  before(async () => {
    pg = await startPostgres();
    gws = await startSharedGateways({
      instances: 1,
      databaseUrl: pg.url,
      env: {
        ...fakes.env,
        AGENTGW_POLICY: policyFolder(allowAllPolicy()),
        AGENTGW_METRICS_TOKEN: METRICS_TOKEN,
      },
    });
  });
  after(async () => {
    await gws?.stop();
    pg?.close();
  });

  it("loses no acknowledged write, and the audit chain still verifies", async (t) => {
    const gw = gws.instances[0]!;
    const acknowledged: string[] = [];
    const refused: number[] = [];
    const create = async (n: number) => {
      const key = await generateKeyPair();
      const res = await gw
        .admin("POST", "/admin/agents", {
          name: `fault-${n}`,
          publicKey: toBase64Url(key.publicKey),
          scopes: ["openai:models"],
        })
        .catch((error: unknown) => {
          // The gateway must stay up: if it cannot be reached, show why.
          throw new Error(
            `gateway unreachable (${String(error)}); its last output:\n${gw.output().slice(-3000)}`,
          );
        });
      if (res.status === 201) acknowledged.push(res.body.id);
      else {
        assert.equal(res.status, 503, JSON.stringify(res.body));
        assert.equal(res.body.code, "store_unavailable");
        refused.push(n);
      }
    };
    await Promise.all(Array.from({ length: 10 }, (_, n) => create(n)));
    // Three lanes keep writing while the server is killed (immediate: no clean shutdown) and
    // comes back, and for a while after.
    let writing = true;
    let next = 10;
    const lanes = [0, 1, 2].map(async () => {
      while (writing) {
        await create(next++);
        await sleep(10);
      }
    });
    await sleep(300);
    await pg.restartAsync("immediate");
    const restartedAt = acknowledged.length;
    for (let i = 0; i < 100 && acknowledged.length < restartedAt + 10; i++) await sleep(100);
    writing = false;
    await Promise.all(lanes);
    assert.ok(
      acknowledged.length >= restartedAt + 10,
      `writes resumed after the restart (${acknowledged.length})`,
    );
    t.diagnostic(`acknowledged ${acknowledged.length}, refused during the restart ${refused.length}`);
    for (const id of acknowledged) {
      assert.equal(
        (await gw.admin("GET", `/admin/agents/${id}`)).status,
        200,
        `acknowledged ${id} is stored`,
      );
    }
    const verified = await gw.admin("GET", "/admin/audit/verify");
    assert.equal(verified.status, 200);
    assert.equal(verified.body.ok, true, JSON.stringify(verified.body));
    assert.equal((await fetch(`${gw.url}/readyz`)).status, 200);
  });
});
