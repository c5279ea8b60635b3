// The shared migrations (../migrations.ts) in SQLite's column types, each applied in its own transaction.
import type { Database } from "better-sqlite3";
import { type ColumnTypes, MIGRATIONS } from "../migrations.js";

/** INTEGER is 64-bit in SQLite, and `seq INTEGER PRIMARY KEY` must stay spelled so to be the rowid. */
const SQLITE_TYPES: ColumnTypes = {
  bigint: "INTEGER",
  serialKey: "INTEGER PRIMARY KEY AUTOINCREMENT",
  double: "REAL",
};

/** Applies pending migrations in order, each in its own transaction; returns the versions applied. */
export function migrate(db: Database): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const done = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as Array<{ version: number }>).map(
      (r) => r.version,
    ),
  );
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (done.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql(SQLITE_TYPES));
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    })();
    applied.push(migration.version);
  }
  return applied;
}
