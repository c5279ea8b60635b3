// The shared migrations (../migrations.ts) in SQLite's column types, each applied in its own transaction.
import type { Database } from "better-sqlite3";
import { type ColumnTypes, pendingMigrations, SCHEMA_MIGRATIONS_TABLE } from "../migrations.js";

/** INTEGER is 64-bit in SQLite, and `seq INTEGER PRIMARY KEY` must stay spelled so to be the rowid. */
const SQLITE_TYPES: ColumnTypes = {
  bigint: "INTEGER",
  serialKey: "INTEGER PRIMARY KEY AUTOINCREMENT",
  double: "REAL",
};

/** Applies pending migrations in order, each in its own transaction; returns the versions applied. */
export function migrate(db: Database): number[] {
  db.exec(SCHEMA_MIGRATIONS_TABLE);
  const done = db.prepare<[], { version: number }>("SELECT version FROM schema_migrations").all();
  const applied: number[] = [];
  for (const migration of pendingMigrations(done.map((r) => r.version))) {
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
