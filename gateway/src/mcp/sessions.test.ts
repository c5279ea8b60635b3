// The MCP session table, one suite run against both implementations: this process's memory and Redis
// (a real redis-server, started by the test command or by this file when run alone). "Two instances"
// are two tables on one store: for memory that is the same table (one process), for Redis two clients.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import { startRedis } from "../../../scripts/test-services.mjs";
import { connectRedis } from "../shared-state/redis-client.js";
import { createRedisMcpSessions } from "../shared-state/redis-mcp-sessions.js";
import { testRedisUrl } from "../store/testing/servers.js";
import { StoreUnavailableError } from "../store/types.js";
import { createMemoryMcpSessions, type McpSessionLimits, type McpSessions, sessionKey } from "./sessions.js";

interface Harness {
  /** Two instances' views of one session table. */
  tables(limits?: Partial<McpSessionLimits>): Promise<[McpSessions, McpSessions]>;
  /** Lets `ms` pass for the table's idle timers. */
  pass(ms: number): Promise<void>;
  /** Every stored key and value, to check that no session id is kept in clear. */
  stored(): Promise<string>;
}

function sessionTableSuite(name: string, harness: () => Promise<Harness>) {
  describe(`MCP session table: ${name}`, () => {
    it("a session opened on one instance is found on the other, bound to its agent and server", async () => {
      const h = await harness();
      const [one, two] = await h.tables();
      const opened = await one.open("agt_a", "repo", "up-1");
      assert.match(opened.id, /^[A-Za-z0-9_-]{32}$/);
      assert.deepEqual(
        { ...opened, id: "" },
        { id: "", agentId: "agt_a", server: "repo", upstreamId: "up-1", protocolVersion: null },
      );
      const found = await two.find(opened.id, "agt_a", "repo");
      assert.equal(found?.upstreamId, "up-1");
      assert.equal(found?.id, opened.id);
      // Another agent, another server, an unknown or malformed id: all the same answer.
      assert.equal(await two.find(opened.id, "agt_b", "repo"), undefined);
      assert.equal(await one.find(opened.id, "agt_a", "other"), undefined);
      assert.equal(await one.find(randomBytes(24).toString("base64url"), "agt_a", "repo"), undefined);
      for (const bad of ["", "x", `${opened.id}x`, opened.id.slice(1), "../../etc", "a".repeat(10_000)])
        assert.equal(await one.find(bad, "agt_a", "repo"), undefined, JSON.stringify(bad.slice(0, 20)));
      // The owner still has it: a stranger's attempt does not end or spoil it.
      assert.equal((await one.find(opened.id, "agt_a", "repo"))?.upstreamId, "up-1");
      assert.notEqual((await one.open("agt_a", "repo", "up-1")).id, opened.id, "every session a new id");
    });

    it("closing on one instance ends the session on every instance", async () => {
      const h = await harness();
      const [one, two] = await h.tables();
      const a = await one.open("agt_a", "repo", "up-a");
      const b = await one.open("agt_a", "repo", "up-b");
      await two.close(a.id);
      assert.equal(await one.find(a.id, "agt_a", "repo"), undefined);
      assert.equal(await two.find(a.id, "agt_a", "repo"), undefined);
      assert.equal((await one.find(b.id, "agt_a", "repo"))?.upstreamId, "up-b", "other sessions stay");
      await two.close(a.id); // closing twice, or an unknown id, is not an error
      await two.close("not-an-id");
    });

    it("a session unused for idleSeconds is forgotten; each use restarts its timer", async () => {
      const h = await harness();
      const [one, two] = await h.tables({ idleSeconds: 10 });
      const kept = await one.open("agt_a", "repo", "up-kept");
      const idle = await one.open("agt_a", "repo", "up-idle");
      for (let i = 0; i < 3; i++) {
        await h.pass(6_000);
        assert.ok(await two.find(kept.id, "agt_a", "repo"), `still live after use ${i}`);
      }
      assert.equal(await one.find(idle.id, "agt_a", "repo"), undefined, "18 s unused");
      await h.pass(11_000);
      assert.equal(await one.find(kept.id, "agt_a", "repo"), undefined);
    });

    it("one agent's sessions beyond maxPerAgent drop its own least recently used, not other agents'", async () => {
      const h = await harness();
      const [one, two] = await h.tables({ maxPerAgent: 3 });
      const other = await one.open("agt_b", "repo", "b-1");
      const mine = [];
      for (let i = 0; i < 3; i++) {
        mine.push(await (i % 2 ? one : two).open("agt_a", "repo", `a-${i}`));
        await h.pass(1);
      }
      assert.ok(await one.find(mine[0]!.id, "agt_a", "repo"), "the oldest, used again: now the newest");
      await h.pass(1);
      const fourth = await two.open("agt_a", "repo", "a-3");
      assert.equal(await one.find(mine[1]!.id, "agt_a", "repo"), undefined, "the least recently used went");
      for (const s of [mine[0]!, mine[2]!, fourth])
        assert.ok(await two.find(s.id, "agt_a", "repo"), s.upstreamId);
      assert.equal((await two.find(other.id, "agt_b", "repo"))?.upstreamId, "b-1", "agt_b untouched");
    });

    it("keeps no session id in clear", async () => {
      const h = await harness();
      const [one] = await h.tables();
      const opened = await one.open("agt_a", "repo", "up-1");
      const stored = await h.stored();
      assert.ok(!stored.includes(opened.id), "the id itself is not stored");
      if (stored !== "") assert.ok(stored.includes(sessionKey(opened.id)!), "its hash is");
    });
  });
}

sessionTableSuite("memory", async () => {
  let nowMs = 1_000_000;
  let table: McpSessions | undefined;
  return {
    async tables(limits) {
      table = createMemoryMcpSessions({ ...limits, now: () => nowMs });
      return [table, table];
    },
    async pass(ms) {
      nowMs += ms;
    },
    async stored() {
      return ""; // the process's own memory: nothing an outsider reads
    },
  };
});

sessionTableSuite("redis", async () => {
  const url = await testRedisUrl();
  const clients = [connectRedis({ url, keyPrefix: "" }), connectRedis({ url, keyPrefix: "" })];
  for (const c of clients) assert.ok(await c.ready);
  after(() => Promise.all(clients.map((c) => c.close())));
  const prefix = `t${randomBytes(6).toString("hex")}:`;
  let nowMs = Date.now();
  const redis = clients[0]!.command;
  return {
    async tables(limits) {
      return clients.map((c) =>
        createRedisMcpSessions({ redis: c.command, prefix, ...limits, now: () => nowMs }),
      ) as [McpSessions, McpSessions];
    },
    // Redis keeps its own time for expiry: move the scores' clock, and take the time off every live
    // session's TTL, as if it had passed.
    async pass(ms) {
      nowMs += ms;
      for (const key of await redis.keys(`${prefix}*`)) {
        const left = await redis.pttl(key);
        if (left > ms) await redis.pexpire(key, left - ms);
        else await redis.del(key);
      }
    },
    async stored() {
      const parts: string[] = [];
      for (const key of await redis.keys(`${prefix}*`)) {
        const type = await redis.type(key);
        const value =
          type === "hash" ? await redis.hgetall(key) : await redis.zrange(key, 0, -1, "WITHSCORES");
        parts.push(key, JSON.stringify(value));
      }
      return parts.join("\n");
    },
  };
});

describe("MCP session table: redis unreachable", () => {
  it("refuses with StoreUnavailableError (fail closed) and works again once Redis is back", async () => {
    const server = await startRedis();
    after(() => server.close());
    const client = connectRedis({ url: server.url, keyPrefix: "f:" });
    after(() => client.close());
    assert.ok(await client.ready);
    const table = createRedisMcpSessions({ redis: client.command, prefix: "f:" });
    const opened = await table.open("agt_a", "repo", "up-1");
    await server.stop();
    for (const attempt of [
      () => table.find(opened.id, "agt_a", "repo"),
      () => table.open("agt_a", "repo", "up-2"),
      () => table.close(opened.id),
    ])
      await assert.rejects(
        attempt(),
        (e: unknown) => e instanceof StoreUnavailableError && e.dependency === "redis",
      );
    await server.start();
    let answered = false;
    for (let i = 0; i < 100 && !answered; i++) {
      answered = await table.find(opened.id, "agt_a", "repo").then(
        () => true,
        () => false,
      );
      if (!answered) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(answered, "reconnected without a restart");
    // A Redis restarted without persistence forgot the session (the client initializes anew); with its
    // data it still knows it. Either way the table answers again without a restart.
    const again = await table.open("agt_a", "repo", "up-3");
    assert.equal((await table.find(again.id, "agt_a", "repo"))?.upstreamId, "up-3");
  });
});
