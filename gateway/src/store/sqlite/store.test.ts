import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { StoreConflictError } from "../types.js";
import { MIGRATIONS } from "./migrations.js";
import { openSqliteStore } from "./open.js";

const key = (n: number) => ({ kid: `kid-${n}`.padEnd(43, "x"), publicKey: `pk-${n}` });
const newAgent = (n: number) => ({
  name: `a${n}`,
  scopes: ["openai:chat"],
  tier: "default",
  metadata: {},
  key: key(n),
});

describe("sqlite store", () => {
  it("migrates a fresh file once and keeps data across reopen", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agentgw-store-"));
    const store = openSqliteStore({ dataDir: dir });
    const agent = await store.agents.create(newAgent(1));
    await store.close();
    const again = openSqliteStore({ dataDir: dir });
    assert.equal((await again.agents.get(agent.id))?.name, "a1");
    await again.close();
    const db = new BetterSqlite3(join(dir, "agentgw.db"));
    const versions = db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as Array<{
      version: number;
    }>;
    assert.deepEqual(
      versions.map((v) => v.version),
      MIGRATIONS.map((m) => m.version),
    );
    assert.equal((db.pragma("journal_mode", { simple: true }) as string).toLowerCase(), "wal");
    db.close();
  });

  it("refuses a key registered twice, across agents", async () => {
    const store = openSqliteStore({ dataDir: ":memory:" });
    const a = await store.agents.create(newAgent(1));
    await assert.rejects(store.agents.create(newAgent(1)), StoreConflictError);
    await assert.rejects(store.agents.addKey(a.id, key(1)), StoreConflictError);
    assert.equal(await store.agents.addKey("agt_missing", key(2)), null);
  });

  it("finds a key's agent, and deleting the agent removes its keys", async () => {
    const store = openSqliteStore({ dataDir: ":memory:" });
    const a = await store.agents.create(newAgent(3));
    assert.equal((await store.agents.findByKid(key(3).kid))?.agent.id, a.id);
    assert.ok(await store.agents.revokeKey(a.id, key(3).kid));
    assert.equal((await store.agents.findByKid(key(3).kid))?.key.status, "revoked");
    assert.ok(await store.agents.delete(a.id));
    assert.equal(await store.agents.findByKid(key(3).kid), null);
  });

  it("revokes tokens by jti and by agent (optionally one key), counting only live ones", async () => {
    const store = openSqliteStore({ dataDir: ":memory:" });
    const base = { agentId: "agt_1", tool: "openai", scopes: ["openai:chat"], issuedAt: 100 };
    await store.tokens.recordIssued({ ...base, jti: "t1", kid: "k1", expiresAt: 400 });
    await store.tokens.recordIssued({ ...base, jti: "t2", kid: "k2", expiresAt: 400 });
    await store.tokens.recordIssued({ ...base, jti: "t3", kid: "k1", expiresAt: 150 });
    assert.equal(await store.tokens.revokedAt("t1"), null);
    assert.equal(await store.tokens.revokeByAgent("agt_1", 200, "k1"), 1, "t3 has expired: not counted");
    assert.equal(await store.tokens.revokedAt("t1"), 200);
    assert.equal(
      await store.tokens.revokedAt("t3"),
      200,
      "marked too: it is still inside the verifiers' skew",
    );
    assert.equal(await store.tokens.revokedAt("t2"), null);
    assert.equal(await store.tokens.revokeByJti("t2", 210), 1);
    assert.equal(await store.tokens.revokeByJti("t2", 220), 0, "already revoked");
    assert.equal(await store.tokens.purgeExpired(300), 1);
  });

  it("budgets: many concurrent reservations never exceed the limit", async () => {
    const store = openSqliteStore({ dataDir: ":memory:" });
    const attempts = await Promise.all(
      Array.from({ length: 50 }, () =>
        store.budgets.reserve({ agentId: "a", key: "gmail:send", period: "2026-11-22", amount: 1, limit: 7 }),
      ),
    );
    const granted = attempts.filter((r) => r !== null);
    assert.equal(granted.length, 7);
    await store.budgets.settle(granted[0]!, 0);
    assert.equal(
      await store.budgets.usage("a", "gmail:send", "2026-11-22"),
      6,
      "a released reservation frees budget",
    );
    assert.notEqual(
      await store.budgets.reserve({
        agentId: "a",
        key: "gmail:send",
        period: "2026-11-22",
        amount: 1,
        limit: 7,
      }),
      null,
    );
  });

  it("decisions page newest first with filters", async () => {
    const store = openSqliteStore({ dataDir: ":memory:" });
    for (let i = 0; i < 5; i++) {
      await store.decisions.record({
        decisionId: `d${i}`,
        time: new Date().toISOString(),
        requestId: `r${i}`,
        traceId: null,
        agentId: i % 2 ? "a1" : "a2",
        kid: null,
        tool: "openai",
        action: "models.list",
        phase: "call",
        allow: i !== 3,
        reasons: i === 3 ? ["no"] : [],
        obligations: {},
        policyRevision: "rev1",
        durationMs: 0.1,
        input: { i },
      });
    }
    const page1 = await store.decisions.list({ limit: 2 });
    assert.deepEqual(
      page1.items.map((d) => d.decisionId),
      ["d4", "d3"],
    );
    const page2 = await store.decisions.list({ limit: 2, cursor: page1.nextCursor! });
    assert.deepEqual(
      page2.items.map((d) => d.decisionId),
      ["d2", "d1"],
    );
    assert.deepEqual(
      (await store.decisions.list({ limit: 10, allow: false })).items.map((d) => d.reasons),
      [["no"]],
    );
    assert.equal((await store.decisions.list({ limit: 10, agentId: "a1" })).items.length, 2);
  });

  it("decisions older than the retention cut-off are pruned, newer ones stay", async () => {
    const store = openSqliteStore({ dataDir: ":memory:" });
    const day = (n: number) => new Date(Date.UTC(2026, 10, n)).toISOString();
    for (let i = 1; i <= 6; i++) {
      await store.decisions.record({
        decisionId: `d${i}`,
        time: day(i),
        requestId: `r${i}`,
        traceId: null,
        agentId: "a1",
        kid: null,
        tool: "openai",
        action: "models.list",
        phase: "call",
        allow: false,
        reasons: ["no"],
        obligations: {},
        policyRevision: "rev1",
        durationMs: 0.1,
        input: {},
      });
    }
    assert.equal(await store.decisions.prune(day(4)), 3);
    assert.deepEqual(
      (await store.decisions.list({ limit: 10 })).items.map((d) => d.decisionId),
      ["d6", "d5", "d4"],
    );
    assert.equal(await store.decisions.prune(day(4)), 0);
  });
});

describe("audit hash chain", () => {
  const event = (n: number) => ({
    time: `2026-01-0${n}T00:00:00.000Z`,
    actor: "admin",
    action: "agent.created",
    target: `agt_${n}`,
    requestId: `r${n}`,
    traceId: null,
    details: { n },
  });

  it("links every record to the previous one and verifies", async () => {
    const store = openSqliteStore({ dataDir: ":memory:" });
    const first = await store.audit.append(event(1));
    const second = await store.audit.append(event(2));
    assert.equal(first.prevHash, "0".repeat(64));
    assert.equal(second.prevHash, first.hash);
    assert.deepEqual(await store.audit.verify(), { ok: true, checked: 2 });
  });

  for (const [name, sql, seq] of [
    ["an edited detail", "UPDATE audit SET details = '{\"n\":99}' WHERE seq = 2", 2],
    ["an edited actor", "UPDATE audit SET actor = 'mallory' WHERE seq = 1", 1],
    ["a deleted record", "DELETE FROM audit WHERE seq = 2", 3],
    ["a re-hashed record", "UPDATE audit SET details = '{}', hash = 'f' WHERE seq = 2", 2],
  ] as const) {
    it(`detects ${name} and names the record`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "agentgw-audit-"));
      const store = openSqliteStore({ dataDir: dir });
      for (let i = 1; i <= 4; i++) await store.audit.append(event(i));
      await store.close();
      const db = new BetterSqlite3(join(dir, "agentgw.db"));
      db.exec(sql);
      db.close();
      const reopened = openSqliteStore({ dataDir: dir });
      const result = await reopened.audit.verify();
      assert.equal(result.ok, false);
      assert.equal(result.firstBad?.seq, seq);
    });
  }

  it("stays verifiable after retention prunes old records", async () => {
    const store = openSqliteStore({ dataDir: ":memory:" });
    for (let i = 1; i <= 5; i++) await store.audit.append(event(i));
    assert.equal(await store.audit.prune("2026-01-03T00:00:00.000Z"), 2);
    assert.deepEqual(await store.audit.verify(), { ok: true, checked: 3 });
    await store.audit.append(event(6));
    assert.deepEqual(await store.audit.verify(), { ok: true, checked: 4 });
  });
});
