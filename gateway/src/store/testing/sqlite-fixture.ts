// Test-only: a SQLite store on a fresh temporary folder, as the store suite wants it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { openSqliteStore } from "../sqlite/open.js";
import type { Store } from "../types.js";
import type { StoreFixture } from "./store-suite.js";

/** `wrap` decorates every store opened on the folder (e.g. with read caches); none by default. */
export async function sqliteFixture(wrap: (store: Store) => Store = (store) => store): Promise<StoreFixture> {
  const dir = mkdtempSync(join(tmpdir(), "agentgw-store-"));
  const store = wrap(openSqliteStore({ dataDir: dir }));
  return {
    store,
    async openAnother() {
      return wrap(openSqliteStore({ dataDir: dir }));
    },
    async exec(sql) {
      const db = new BetterSqlite3(join(dir, "agentgw.db"));
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    },
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
