import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { MIGRATIONS } from "../migrations.js";
import { sqliteFixture } from "../testing/sqlite-fixture.js";
import { runStoreSuite } from "../testing/store-suite.js";
import { openSqliteStore } from "./open.js";

const key = (n: number) => ({ kid: `kid-${n}`.padEnd(43, "x"), publicKey: `pk-${n}` });
const newAgent = (n: number) => ({
  name: `a${n}`,
  scopes: ["openai:chat"],
  tier: "default",
  metadata: {},
  key: key(n),
});

describe("sqlite store: file", () => {
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
});

runStoreSuite("sqlite", () => sqliteFixture());
