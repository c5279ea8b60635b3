// Named upstream credentials and their versions. Only sealed (encrypted) secrets
// and fingerprints are stored; sealing and opening happen in credentials/.
import type { Database } from "better-sqlite3";
import {
  type CredentialRow,
  SEALED_COLUMNS,
  type SealedRow,
  toCredential,
  toSealed,
  type VersionRow,
} from "../credential-rows.js";
import { type CredentialStore, StoreConflictError, type StoredCredential } from "../types.js";
import { isUniqueViolation } from "./unique-violation.js";

export function createSqliteCredentialStore(db: Database, now: () => Date): CredentialStore {
  const selectOne = db.prepare<[string], CredentialRow>("SELECT * FROM credentials WHERE name = ?");
  const selectAll = db.prepare<[], CredentialRow>("SELECT * FROM credentials ORDER BY name");
  const selectVersions = db.prepare<[string], VersionRow>(
    "SELECT name, version, fingerprint, created_at FROM credential_versions WHERE name = ? ORDER BY version",
  );
  const insertCredential = db.prepare(
    `INSERT INTO credentials (name, tool, description, active_version, created_at, updated_at)
     VALUES (@name, @tool, @description, 1, @now, @now)`,
  );
  const insertVersion = db.prepare(
    `INSERT INTO credential_versions (name, version, fingerprint, sealed, created_at)
     VALUES (@name, @version, @fingerprint, @sealed, @now)`,
  );
  const setActive = db.prepare("UPDATE credentials SET active_version = ?, updated_at = ? WHERE name = ?");
  const selectActive = db.prepare<[string], SealedRow>(
    `SELECT ${SEALED_COLUMNS}
       FROM credentials c JOIN credential_versions v ON v.name = c.name AND v.version = c.active_version
      WHERE c.name = ?`,
  );
  const selectAllSealed = db.prepare<[], SealedRow>(
    `SELECT ${SEALED_COLUMNS}
       FROM credentials c JOIN credential_versions v ON v.name = c.name ORDER BY c.name, v.version`,
  );

  const hydrate = (row: CredentialRow): StoredCredential => toCredential(row, selectVersions.all(row.name));
  const load = (name: string): StoredCredential | null => {
    const row = selectOne.get(name);
    return row ? hydrate(row) : null;
  };

  const createTx = db.transaction(
    (input: {
      name: string;
      tool: string;
      description: string | null;
      fingerprint: string;
      sealed: string;
    }) => {
      const stamp = now().toISOString();
      insertCredential.run({
        name: input.name,
        tool: input.tool,
        description: input.description,
        now: stamp,
      });
      insertVersion.run({
        name: input.name,
        version: 1,
        fingerprint: input.fingerprint,
        sealed: input.sealed,
        now: stamp,
      });
      return load(input.name)!;
    },
  );
  // One transaction: two rotations at once get distinct version numbers and the last one wins.
  const addVersionTx = db.transaction((name: string, fingerprint: string, sealed: string) => {
    if (!selectOne.get(name)) return null;
    const { next } = db
      .prepare<[string], { next: number }>(
        "SELECT COALESCE(MAX(version), 0) + 1 AS next FROM credential_versions WHERE name = ?",
      )
      .get(name)!;
    const stamp = now().toISOString();
    insertVersion.run({ name, version: next, fingerprint, sealed, now: stamp });
    setActive.run(next, stamp, name);
    return load(name);
  });
  const activateTx = db.transaction((name: string, version: number) => {
    const exists = db
      .prepare<[string, number], { one: number }>(
        "SELECT 1 AS one FROM credential_versions WHERE name = ? AND version = ?",
      )
      .get(name, version);
    if (!exists) return null;
    setActive.run(version, now().toISOString(), name);
    return load(name);
  });

  return {
    async create(input) {
      try {
        return createTx(input);
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreConflictError(`credential ${input.name} exists`);
        throw error;
      }
    },
    async list() {
      return selectAll.all().map(hydrate);
    },
    async get(name) {
      return load(name);
    },
    async addVersion(name, input) {
      return addVersionTx(name, input.fingerprint, input.sealed);
    },
    async activate(name, version) {
      return activateTx(name, version);
    },
    async delete(name) {
      return db.prepare("DELETE FROM credentials WHERE name = ?").run(name).changes > 0;
    },
    async active(name) {
      const row = selectActive.get(name);
      return row ? toSealed(row) : null;
    },
    async sealedVersions() {
      return selectAllSealed.all().map(toSealed);
    },
  };
}
