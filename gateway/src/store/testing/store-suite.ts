// The store contract, run against every engine (sqlite/store.test.ts, postgres/store.test.ts).
// A behaviour added to one implementation gets its case here, so the other must follow.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Store, StoreConflictError } from "../types.js";

export interface StoreFixture {
  /** A store on a fresh, empty database. */
  store: Store;
  /** A second store on the same database (another gateway instance). */
  openAnother(): Promise<Store>;
  /** Runs raw SQL on the database behind the store's back (tamper tests). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

const key = (n: number) => ({ kid: `kid-${n}`.padEnd(43, "x"), publicKey: `pk-${n}` });
const newAgent = (n: number) => ({
  name: `a${n}`,
  scopes: ["openai:chat"],
  tier: "default",
  metadata: { n },
  key: key(n),
});

async function withFixture(open: () => Promise<StoreFixture>, fn: (f: StoreFixture) => Promise<void>) {
  const fixture = await open();
  try {
    await fn(fixture);
  } finally {
    await fixture.close();
  }
}

export function runStoreSuite(engine: string, open: () => Promise<StoreFixture>): void {
  const test = (name: string, fn: (f: StoreFixture) => Promise<void>) =>
    it(name, () => withFixture(open, fn));
  /** A case with a second instance on the same database (closed afterwards). */
  const testTwo = (name: string, fn: (store: Store, other: Store) => Promise<void>) =>
    test(name, async ({ store, openAnother }) => {
      const other = await openAnother();
      try {
        await fn(store, other);
      } finally {
        await other.close();
      }
    });

  describe(`${engine} store: agents and keys`, () => {
    test("creates, reads, lists, patches and deletes agents", async ({ store }) => {
      const a = await store.agents.create(newAgent(1));
      const b = await store.agents.create(newAgent(2));
      assert.equal(store.engine, engine);
      assert.deepEqual(a.scopes, ["openai:chat"]);
      assert.deepEqual(a.metadata, { n: 1 });
      assert.equal(a.keys[0]?.kid, key(1).kid);
      assert.equal(a.status, "active");
      const page1 = await store.agents.list({ limit: 1 });
      assert.equal(page1.items.length, 1);
      const page2 = await store.agents.list({ limit: 1, cursor: page1.nextCursor! });
      assert.deepEqual(
        [page1.items[0]?.id, page2.items[0]?.id].sort(),
        [a.id, b.id].sort(),
        "pages cover every agent once",
      );
      assert.equal(page2.nextCursor, null);
      const patched = await store.agents.update(a.id, { status: "suspended", tier: "gold" });
      assert.equal(patched?.status, "suspended");
      assert.equal(patched?.name, "a1", "unpatched fields stay");
      assert.deepEqual(
        (await store.agents.list({ limit: 10, status: "suspended" })).items.map((x) => x.id),
        [a.id],
      );
      assert.equal(await store.agents.update("agt_missing", { name: "x" }), null);
      assert.ok(await store.agents.delete(b.id));
      assert.equal(await store.agents.get(b.id), null);
      assert.equal(await store.agents.delete(b.id), false);
    });

    test("refuses a key registered twice, across agents", async ({ store }) => {
      const a = await store.agents.create(newAgent(1));
      await assert.rejects(store.agents.create(newAgent(1)), StoreConflictError);
      await assert.rejects(store.agents.addKey(a.id, key(1)), StoreConflictError);
      assert.equal(await store.agents.addKey("agt_missing", key(2)), null);
      const added = await store.agents.addKey(a.id, key(2));
      assert.equal(added?.status, "active");
      assert.equal((await store.agents.get(a.id))?.keys.length, 2);
    });

    test("finds a key's agent, and deleting the agent removes its keys", async ({ store }) => {
      const a = await store.agents.create(newAgent(3));
      assert.equal((await store.agents.findByKid(key(3).kid))?.agent.id, a.id);
      assert.ok(await store.agents.revokeKey(a.id, key(3).kid));
      assert.equal(await store.agents.revokeKey(a.id, key(3).kid), false, "already revoked");
      assert.equal((await store.agents.findByKid(key(3).kid))?.key.status, "revoked");
      assert.ok(await store.agents.delete(a.id));
      assert.equal(await store.agents.findByKid(key(3).kid), null);
    });

    test("an agent written by one instance is read by another", async ({ store, openAnother }) => {
      const other = await openAnother();
      try {
        const a = await store.agents.create(newAgent(4));
        assert.equal((await other.agents.findByKid(key(4).kid))?.agent.id, a.id);
        await other.agents.revokeKey(a.id, key(4).kid);
        assert.equal((await store.agents.get(a.id))?.keys[0]?.status, "revoked");
      } finally {
        await other.close();
      }
    });
  });

  describe(`${engine} store: tokens`, () => {
    test("revokes tokens by jti and by agent (optionally one key), counting only live ones", async ({
      store,
    }) => {
      const base = { agentId: "agt_1", tool: "openai", scopes: ["openai:chat"], issuedAt: 100 };
      await store.tokens.recordIssued({ ...base, jti: "t1", kid: "k1", expiresAt: 400 });
      await store.tokens.recordIssued({ ...base, jti: "t2", kid: "k2", expiresAt: 400 });
      await store.tokens.recordIssued({ ...base, jti: "t3", kid: "k1", expiresAt: 150 });
      assert.equal(await store.tokens.revokedAt("t1"), null);
      assert.equal(await store.tokens.revokedAt("unknown"), null);
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
  });

  describe(`${engine} store: console sign-outs`, () => {
    testTwo(
      "a sign-out is seen by another instance, kept until the session expires, recorded once",
      async (store, other) => {
        assert.equal(await other.consoleSignOuts.isSignedOut("h1"), false);
        await store.consoleSignOuts.signOut("h1", 5_000);
        await store.consoleSignOuts.signOut("h1", 5_000); // a second sign-out is no error
        await store.consoleSignOuts.signOut("h2", 9_000);
        assert.equal(await other.consoleSignOuts.isSignedOut("h1"), true);
        assert.equal(await other.consoleSignOuts.isSignedOut("h3"), false);
        assert.equal(await other.consoleSignOuts.purgeExpired(6_000), 1);
        assert.equal(await store.consoleSignOuts.isSignedOut("h1"), false, "expired: nothing to refuse");
        assert.equal(await store.consoleSignOuts.isSignedOut("h2"), true);
      },
    );
  });

  describe(`${engine} store: budgets`, () => {
    test("budget deltas from two instances add up, in the record batch's transaction", async ({
      store,
      openAnother,
      exec,
    }) => {
      const other = await openAnother();
      try {
        const counter = { agentId: "a", key: "gmail|calls|messages.send", period: "2026-11-22" };
        assert.equal(await store.budgets.count(counter.agentId, counter.key, counter.period), 0);
        await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            (i % 2 ? other : store).records.write({
              decisions: [],
              audit: [],
              // +1 forty times, -1 for every fourth: 30; the same counter twice in one batch too.
              budgets: [
                { ...counter, delta: 1 },
                ...(i % 4 === 0 ? [{ ...counter, delta: -1 }] : []),
                { ...counter, agentId: "b", delta: 2 },
              ],
            }),
          ),
        );
        assert.equal(await other.budgets.count("a", counter.key, counter.period), 30);
        assert.equal(await store.budgets.count("b", counter.key, counter.period), 80);
        assert.equal(await store.budgets.count("a", counter.key, "2026-11-23"), 0);
        // A hold an earlier version left in its own column is still counted.
        await exec("UPDATE budget_usage SET reserved = 5 WHERE agent_id = 'a'");
        assert.equal(await store.budgets.count("a", counter.key, counter.period), 35);
      } finally {
        await other.close();
      }
    });
  });

  describe(`${engine} store: decisions`, () => {
    test("decisions page newest first with filters", async ({ store }) => {
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
          phase: i === 0 ? "token" : "call",
          allow: i !== 3,
          reasons: i === 3 ? ["no"] : [],
          obligations: i === 1 ? { max_tokens: 5 } : {},
          policyRevision: "rev1",
          durationMs: 0.25,
          input: { i, text: "nul \u0000 inside" },
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
      assert.deepEqual(page2.items[1]?.obligations, { max_tokens: 5 });
      assert.equal(page2.items[1]?.durationMs, 0.25);
      assert.deepEqual(page2.items[1]?.input, { i: 1, text: "nul \u0000 inside" });
      assert.deepEqual(
        (await store.decisions.list({ limit: 10, allow: false })).items.map((d) => d.reasons),
        [["no"]],
      );
      assert.equal((await store.decisions.list({ limit: 10, agentId: "a1" })).items.length, 2);
      assert.deepEqual(
        (await store.decisions.list({ limit: 10, phase: "token" })).items.map((d) => d.decisionId),
        ["d0"],
      );
    });

    test("decisions older than the retention cut-off are pruned, newer ones stay", async ({ store }) => {
      const day = (n: number) => new Date(Date.UTC(2026, 9, n)).toISOString();
      for (let i = 1; i <= 6; i++) {
        await store.decisions.record({
          decisionId: `prune-${i}`,
          time: day(i),
          requestId: `rp${i}`,
          traceId: null,
          agentId: "agt_prune",
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
        (await store.decisions.list({ limit: 10, agentId: "agt_prune" })).items.map((d) => d.decisionId),
        ["prune-6", "prune-5", "prune-4"],
      );
      assert.equal(await store.decisions.prune(day(4)), 0);
    });
  });

  describe(`${engine} store: audit hash chain`, () => {
    const event = (n: number) => ({
      time: `2026-01-0${n}T00:00:00.000Z`,
      actor: "admin",
      action: n % 2 ? "agent.created" : "agent.deleted",
      target: `agt_${n}`,
      requestId: `r${n}`,
      traceId: null,
      details: { n },
    });

    test("links every record to the previous one, pages newest first, and verifies", async ({ store }) => {
      const first = await store.audit.append(event(1));
      const second = await store.audit.append(event(2));
      assert.equal(first.prevHash, "0".repeat(64));
      assert.equal(second.prevHash, first.hash);
      assert.deepEqual(await store.audit.verify(), { ok: true, checked: 2 });
      await store.audit.append(event(3));
      const page = await store.audit.list({ limit: 2 });
      assert.deepEqual(
        page.items.map((r) => r.seq),
        [3, 2],
      );
      assert.deepEqual(
        (await store.audit.list({ limit: 2, cursor: page.nextCursor! })).items.map((r) => r.seq),
        [1],
      );
      assert.deepEqual(
        (await store.audit.list({ limit: 10, action: "agent.deleted" })).items.map((r) => r.seq),
        [2],
      );
    });

    test("a record batch writes its decisions and chains its events in one transaction", async ({
      store,
      openAnother,
    }) => {
      const decision = (id: string) => ({
        decisionId: id,
        time: new Date().toISOString(),
        requestId: `r-${id}`,
        traceId: null,
        agentId: "a1",
        kid: null,
        tool: "openai",
        action: "models.list",
        phase: "call" as const,
        allow: true,
        reasons: [],
        obligations: {},
        policyRevision: "rev1",
        durationMs: 0.1,
        input: null,
      });
      await store.audit.append(event(1));
      const written = await store.records.write({
        decisions: [decision("b1"), decision("b2")],
        audit: [event(2), event(3)],
      });
      assert.deepEqual(
        written.map((r) => r.seq),
        [2, 3],
      );
      assert.equal(written[1]?.prevHash, written[0]?.hash);
      const other = await openAnother();
      try {
        // Batches from two instances and single appends interleave into one chain.
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            i % 3 === 0
              ? other.audit.append(event(4))
              : (i % 2 ? other : store).records.write({
                  decisions: [decision(`c${i}`)],
                  audit: [event(5), event(6)],
                }),
          ),
        );
      } finally {
        await other.close();
      }
      assert.deepEqual(await store.audit.verify(), { ok: true, checked: 3 + 4 + 6 * 2 });
      assert.equal((await store.decisions.list({ limit: 20 })).items.length, 2 + 6);
      // All or nothing: a batch whose decision collides with a stored one leaves no audit link behind.
      await assert.rejects(store.records.write({ decisions: [decision("b1")], audit: [event(7)] }));
      assert.equal((await store.audit.verify()).checked, 3 + 4 + 6 * 2);
    });

    test("concurrent appends from two instances form one unbroken chain", async ({ store, openAnother }) => {
      const other = await openAnother();
      try {
        await Promise.all(
          Array.from({ length: 30 }, (_, i) => (i % 2 ? other : store).audit.append(event((i % 9) + 1))),
        );
        assert.deepEqual(await other.audit.verify(), { ok: true, checked: 30 });
      } finally {
        await other.close();
      }
    });

    for (const [name, sql, seq] of [
      ["an edited detail", "UPDATE audit SET details = '{\"n\":99}' WHERE seq = 2", 2],
      ["an edited actor", "UPDATE audit SET actor = 'mallory' WHERE seq = 1", 1],
      ["a deleted record", "DELETE FROM audit WHERE seq = 2", 3],
      ["a re-hashed record", "UPDATE audit SET details = '{}', hash = 'f' WHERE seq = 2", 2],
      ["details that are not JSON", "UPDATE audit SET details = 'nope' WHERE seq = 3", 3],
    ] as const) {
      test(`detects ${name} and names the record`, async ({ store, exec }) => {
        for (let i = 1; i <= 4; i++) await store.audit.append(event(i));
        await exec(sql);
        const result = await store.audit.verify();
        assert.equal(result.ok, false);
        assert.equal(result.firstBad?.seq, seq);
      });
    }

    test("stays verifiable after retention prunes old records", async ({ store }) => {
      for (let i = 1; i <= 5; i++) await store.audit.append(event(i));
      assert.equal(await store.audit.prune("2026-01-03T00:00:00.000Z"), 2);
      assert.deepEqual(await store.audit.verify(), { ok: true, checked: 3 });
      await store.audit.append(event(6));
      assert.deepEqual(await store.audit.verify(), { ok: true, checked: 4 });
      assert.equal(await store.audit.prune("2026-01-01T00:00:00.000Z"), 0);
    });

    testTwo(
      "retention run by several instances at once prunes once and the chain still verifies",
      async (store, other) => {
        for (let i = 1; i <= 5; i++) await store.audit.append(event(i));
        const cut = "2026-01-03T00:00:00.000Z";
        const removed = await Promise.all([
          store.audit.prune(cut),
          other.audit.prune(cut),
          store.audit.prune(cut),
        ]);
        assert.equal(
          removed.reduce((a, b) => a + b, 0),
          2,
        );
        await other.audit.append(event(6));
        assert.deepEqual(await store.audit.verify(), { ok: true, checked: 4 });
      },
    );
  });

  describe(`${engine} store: MCP servers and tool pins`, () => {
    const pin = (digest: string, description: string) => ({
      server: "repo",
      tool: "read_file",
      pinnedDigest: digest,
      seenDigest: digest,
      seen: { name: "read_file", description, inputSchema: { type: "object" } },
      pinnedAt: "2026-01-01T00:00:00.000Z",
      seenAt: "2026-01-01T00:00:00.000Z",
    });

    test("servers are added, replaced, listed and removed with their pins", async ({ store }) => {
      assert.equal(
        await store.mcp.putServer({ name: "repo", url: "http://a/mcp", credential: null }, "t1"),
        true,
      );
      assert.equal(
        await store.mcp.putServer({ name: "repo", url: "http://b/mcp", credential: "c" }, "t2"),
        false,
      );
      assert.deepEqual(await store.mcp.listServers(), [
        { name: "repo", url: "http://b/mcp", credential: "c" },
      ]);
      await store.mcp.insertPinIfAbsent(pin("sha256:a", "reads"));
      assert.equal(await store.mcp.deleteServer("repo"), true);
      assert.equal(await store.mcp.getServer("repo"), undefined);
      assert.deepEqual(await store.mcp.listPins("repo"), []);
      assert.equal(await store.mcp.deleteServer("repo"), false);
    });

    test("the first pin wins; accepting is a compare-and-set on the digest seen last", async ({
      store,
      openAnother,
    }) => {
      const other = await openAnother();
      try {
        const [first, second] = await Promise.all([
          store.mcp.insertPinIfAbsent(pin("sha256:a", "reads")),
          other.mcp.insertPinIfAbsent(pin("sha256:b", "other")),
        ]);
        assert.deepEqual(first, second);
        const kept = first.pinnedDigest;
        await store.mcp.markPinSeen(
          "repo",
          "read_file",
          { name: "read_file", description: "new" },
          "sha256:c",
          "t3",
        );
        const seen = await other.mcp.getPin("repo", "read_file");
        assert.equal(seen?.pinnedDigest, kept);
        assert.equal(seen?.seenDigest, "sha256:c");
        assert.equal(seen?.seen.description, "new");
        // A digest that is no longer the one seen last is not accepted.
        assert.equal(await store.mcp.acceptPin("repo", "read_file", "sha256:old", "t4"), false);
        assert.equal(await other.mcp.acceptPin("repo", "read_file", "sha256:c", "t4"), true);
        assert.equal((await store.mcp.getPin("repo", "read_file"))?.pinnedDigest, "sha256:c");
        assert.equal((await store.mcp.listPins("repo")).length, 1);
      } finally {
        await other.close();
      }
    });
  });

  describe(`${engine} store: signing keys`, () => {
    const stored = (kid: string, createdAt: string) => ({
      kid,
      sealedPrivateKey: `sealed-${kid}`,
      createdAt,
      retiredAt: null,
      notAfter: null,
    });

    test("holds one current key: the first insert wins, rotation swaps in one transaction", async ({
      store,
      openAnother,
    }) => {
      const other = await openAnother();
      try {
        const offers = await Promise.all([
          store.signingKeys.insertFirst(stored("k1", "2026-01-01T00:00:00.000Z")),
          other.signingKeys.insertFirst(stored("k0", "2026-01-01T00:00:00.000Z")),
        ]);
        assert.deepEqual(offers.filter(Boolean).length, 1, "exactly one instance's key is kept");
        const first = offers[0] ? "k1" : "k0";
        assert.equal(await store.signingKeys.insertFirst(stored("k9", "2026-01-01T00:00:00.000Z")), false);
        await other.signingKeys.rotate(
          stored("k2", "2026-01-02T00:00:00.000Z"),
          "2026-01-03T00:00:00.000Z",
          "2026-01-04T00:00:00.000Z",
        );
        assert.deepEqual(
          (await store.signingKeys.list()).map((k) => [k.kid, k.sealedPrivateKey, k.retiredAt]),
          [
            [first, `sealed-${first}`, "2026-01-03T00:00:00.000Z"],
            ["k2", "sealed-k2", null],
          ],
        );
        await assert.rejects(
          store.signingKeys.rotate(stored("k2", "2026-01-05T00:00:00.000Z"), "2026-01-05T00:00:00.000Z", "x"),
          StoreConflictError,
        );
        assert.equal(
          (await store.signingKeys.list()).find((k) => k.kid === "k2")?.retiredAt,
          null,
          "a failed rotation changes nothing",
        );
        assert.equal(await store.signingKeys.pruneRetired("2026-01-03T12:00:00.000Z"), 0);
        assert.equal(await store.signingKeys.pruneRetired("2026-01-05T00:00:00.000Z"), 1);
        assert.deepEqual(
          (await store.signingKeys.list()).map((k) => [k.kid, k.retiredAt]),
          [["k2", null]],
        );
      } finally {
        await other.close();
      }
    });
  });

  describe(`${engine} store: credentials`, () => {
    const sealed = (n: number) => ({ fingerprint: `fp-${n}`, sealed: `sealed-${n}` });

    test("creates version 1, rotates, activates and deletes; another instance sees each change", async ({
      store,
      openAnother,
    }) => {
      const created = await store.credentials.create({
        name: "openai",
        tool: "openai",
        description: "prod",
        ...sealed(1),
      });
      assert.deepEqual(
        [created.name, created.tool, created.description, created.activeVersion, created.versions.length],
        ["openai", "openai", "prod", 1, 1],
      );
      await assert.rejects(
        store.credentials.create({ name: "openai", tool: "openai", description: null, ...sealed(9) }),
        StoreConflictError,
      );
      const other = await openAnother();
      try {
        const rotated = await other.credentials.addVersion("openai", sealed(2));
        assert.equal(rotated?.activeVersion, 2);
        assert.deepEqual(
          (await store.credentials.active("openai"))?.sealed,
          "sealed-2",
          "the rotation is read by the other instance's next call",
        );
        assert.equal((await store.credentials.activate("openai", 1))?.activeVersion, 1);
        assert.equal((await other.credentials.active("openai"))?.fingerprint, "fp-1");
        assert.equal(await store.credentials.activate("openai", 7), null);
        assert.equal(await store.credentials.activate("missing", 1), null);
        assert.equal(await store.credentials.addVersion("missing", sealed(3)), null);
        const got = await store.credentials.get("openai");
        assert.deepEqual(
          got?.versions.map((v) => [v.version, v.fingerprint]),
          [
            [1, "fp-1"],
            [2, "fp-2"],
          ],
        );
        assert.deepEqual(
          (await store.credentials.sealedVersions()).map((v) => [v.name, v.tool, v.version, v.sealed]),
          [
            ["openai", "openai", 1, "sealed-1"],
            ["openai", "openai", 2, "sealed-2"],
          ],
        );
        assert.ok(await other.credentials.delete("openai"));
        assert.equal(await store.credentials.get("openai"), null);
        assert.equal(await store.credentials.active("openai"), null);
        assert.deepEqual(await store.credentials.sealedVersions(), [], "every version is deleted with it");
        assert.equal(await store.credentials.delete("openai"), false);
      } finally {
        await other.close();
      }
    });

    test("concurrent rotations get distinct versions and the list is by name", async ({ store }) => {
      await store.credentials.create({ name: "team-b", tool: "openai", description: null, ...sealed(0) });
      await store.credentials.create({ name: "team-a", tool: "openai", description: null, ...sealed(0) });
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.credentials.addVersion("team-a", sealed(i + 1))),
      );
      assert.equal(new Set(results.map((r) => r?.activeVersion)).size, 8);
      const listed = await store.credentials.list();
      assert.deepEqual(
        listed.map((c) => [c.name, c.versions.length]),
        [
          ["team-a", 9],
          ["team-b", 1],
        ],
      );
    });
  });

  describe(`${engine} store: approvals`, () => {
    const T0 = Date.parse("2026-11-27T10:00:00Z");
    const candidate = (n: number, binding = "bind-1", phase: "token" | "call" = "call") => ({
      id: `apr_${String(n).padStart(26, "0")}`,
      agentId: "agt_1",
      kid: "kid-1",
      phase,
      tool: "gmail",
      action: phase === "call" ? "messages.send" : null,
      scopes: ["gmail:send"],
      intent: null,
      reason: "outside domains",
      request: { method: "POST", path: "/v1/tools/gmail/x", bodyPreview: '{"to":["a@b.test"]}' },
      binding,
      ttlSeconds: 60,
      createdAt: new Date(T0).toISOString(),
      expiresAt: new Date(T0 + 60_000).toISOString(),
    });
    const decision = (status: "approved" | "denied") => ({
      status,
      decidedBy: "admin",
      note: "n",
      expiresAt: new Date(T0 + 120_000).toISOString(),
    });

    test("one pending approval per binding, even from two instances at once", async ({
      store,
      openAnother,
    }) => {
      const other = await openAnother();
      try {
        const [a, b] = await Promise.all([
          store.approvals.openOrGet(candidate(1), T0),
          other.approvals.openOrGet(candidate(2), T0),
        ]);
        assert.equal(a.approval.id, b.approval.id);
        assert.equal([a.created, b.created].filter(Boolean).length, 1);
        assert.deepEqual(a.approval.request, candidate(1).request);
        assert.deepEqual(a.approval.scopes, ["gmail:send"]);
        assert.equal(a.approval.expiresAt, "2026-11-27T10:01:00.000Z");
        assert.equal((await store.approvals.findLive("bind-1", T0))?.id, a.approval.id);
        assert.equal(await store.approvals.findLive("bind-2", T0), null);
      } finally {
        await other.close();
      }
    });

    testTwo(
      "lapsed approvals are expired once when several instances' housekeeping runs at once",
      async (store, other) => {
        for (let i = 1; i <= 3; i++) await store.approvals.openOrGet(candidate(i, `bind-${i}`), T0);
        const later = T0 + 61_000;
        const runs = await Promise.all([
          store.approvals.expireDue(later),
          other.approvals.expireDue(later),
          store.approvals.expireDue(later),
        ]);
        // Each approval is returned (and so audited) by exactly one run.
        const ids = runs.flat().map((a) => a.id);
        assert.equal(ids.length, 3);
        assert.equal(new Set(ids).size, 3);
      },
    );

    test("an approved call is used exactly once across instances", async ({ store, openAnother }) => {
      const other = await openAnother();
      try {
        const { approval } = await store.approvals.openOrGet(candidate(1), T0);
        assert.equal(await store.approvals.use(approval.id, T0), false, "pending is not usable");
        const decided = await store.approvals.decide(approval.id, decision("approved"), T0 + 1);
        assert.equal(decided?.status, "approved");
        assert.equal(decided?.decidedBy, "admin");
        assert.equal(
          await store.approvals.decide(approval.id, decision("denied"), T0 + 2),
          null,
          "decided once",
        );
        const uses = await Promise.all([
          store.approvals.use(approval.id, T0 + 3),
          other.approvals.use(approval.id, T0 + 3),
          store.approvals.use(approval.id, T0 + 3),
        ]);
        assert.deepEqual(uses.filter(Boolean).length, 1);
        assert.ok((await store.approvals.get(approval.id))?.usedAt);
        assert.equal(
          await store.approvals.findLive("bind-1", T0 + 4),
          null,
          "a used call approval governs nothing",
        );
      } finally {
        await other.close();
      }
    });

    test("token approvals hold for their window; denials govern until expiry; pending ones expire", async ({
      store,
    }) => {
      const token = await store.approvals.openOrGet(candidate(1, "tok", "token"), T0);
      await store.approvals.decide(token.approval.id, decision("approved"), T0);
      assert.equal(await store.approvals.use(token.approval.id, T0 + 1), true);
      assert.equal(await store.approvals.use(token.approval.id, T0 + 2), true, "again inside the window");
      assert.equal(await store.approvals.use(token.approval.id, T0 + 120_000), false, "not after it");

      const denied = await store.approvals.openOrGet(candidate(2, "den"), T0);
      await store.approvals.decide(denied.approval.id, decision("denied"), T0);
      assert.equal((await store.approvals.findLive("den", T0 + 60_000))?.status, "denied");
      assert.equal(await store.approvals.findLive("den", T0 + 120_000), null);

      const lapsing = await store.approvals.openOrGet(candidate(3, "lap"), T0);
      assert.equal(
        await store.approvals.decide(lapsing.approval.id, decision("approved"), T0 + 60_000),
        null,
      );
      const reopened = await store.approvals.openOrGet(candidate(4, "lap"), T0 + 60_000);
      assert.equal(reopened.created, true);
      assert.deepEqual(
        reopened.expired.map((a) => [a.id, a.status]),
        [[lapsing.approval.id, "expired"]],
      );
      const swept = await store.approvals.expireDue(T0 + 200_000);
      assert.deepEqual(
        swept.map((a) => a.id),
        [reopened.approval.id],
      );
      assert.equal((await store.approvals.list({ status: "expired", limit: 10 })).items.length, 2);
      const page = await store.approvals.list({ limit: 2 });
      assert.equal(page.items[0]?.id, reopened.approval.id, "newest first");
      const rest = await store.approvals.list({ limit: 10, cursor: page.nextCursor! });
      assert.equal(rest.items.length, 2);
      assert.equal((await store.approvals.list({ agentId: "agt_other", limit: 10 })).items.length, 0);
    });
  });

  describe(`${engine} store: lifecycle`, () => {
    test("pings while open, and not after close", async ({ store }) => {
      assert.equal(await store.ping(), true);
      await store.close();
      assert.equal(await store.ping().catch(() => false), false);
      await store.close();
    });
  });
}
