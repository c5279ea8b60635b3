import assert from "node:assert/strict";
import { describe, it } from "node:test";
import pg from "pg";
import { MIGRATIONS } from "../migrations.js";
import { freshDatabaseUrl } from "../testing/servers.js";
import { runStoreSuite } from "../testing/store-suite.js";
import { openPostgresStore } from "./open.js";

describe("postgres store: migrations", () => {
  it("applies every migration once, even when instances start together", async () => {
    const url = await freshDatabaseUrl();
    const stores = await Promise.all([openPostgresStore({ url }), openPostgresStore({ url })]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ version: number }>(
      "SELECT version FROM schema_migrations ORDER BY version",
    );
    await client.end();
    assert.deepEqual(
      rows.map((r) => r.version),
      MIGRATIONS.map((m) => m.version),
    );
    await Promise.all(stores.map((s) => s.close()));
  });

  it("refuses to open when the server cannot be reached", async () => {
    await assert.rejects(openPostgresStore({ url: "postgres://agentgw@127.0.0.1:1/none" }), /unreachable/);
  });
});

runStoreSuite("postgres", async () => {
  const url = await freshDatabaseUrl();
  const store = await openPostgresStore({ url });
  return {
    store,
    openAnother: () => openPostgresStore({ url }),
    async exec(sql) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    },
    close: () => store.close(),
  };
});
