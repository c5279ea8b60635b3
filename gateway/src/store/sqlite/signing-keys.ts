import type { Database } from "better-sqlite3";
import type { SigningKeyStore, StoredSigningKey } from "../types.js";

interface SigningKeyRow {
  kid: string;
  sealed_private_key: string;
  created_at: string;
  retired_at: string | null;
  not_after: string | null;
}

export function toStoredSigningKey(row: SigningKeyRow): StoredSigningKey {
  return {
    kid: row.kid,
    sealedPrivateKey: row.sealed_private_key,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
    notAfter: row.not_after,
  };
}

export function createSqliteSigningKeyStore(db: Database): SigningKeyStore {
  return {
    async list() {
      return db
        .prepare<[], SigningKeyRow>("SELECT * FROM signing_keys ORDER BY created_at, kid")
        .all()
        .map(toStoredSigningKey);
    },
    async insert(key) {
      db.prepare(
        `INSERT INTO signing_keys (kid, sealed_private_key, created_at, retired_at, not_after)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (kid) DO NOTHING`,
      ).run(key.kid, key.sealedPrivateKey, key.createdAt, key.retiredAt, key.notAfter);
    },
    async retireAllExcept(keepKid, retiredAt, notAfter) {
      return db.transaction(() => {
        const kids = db
          .prepare<[string], { kid: string }>(
            "SELECT kid FROM signing_keys WHERE retired_at IS NULL AND kid <> ?",
          )
          .all(keepKid)
          .map((r) => r.kid);
        db.prepare(
          "UPDATE signing_keys SET retired_at = ?, not_after = ? WHERE retired_at IS NULL AND kid <> ?",
        ).run(retiredAt, notAfter, keepKid);
        return kids;
      })();
    },
    async pruneRetired(now) {
      return db.prepare("DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND not_after < ?").run(now)
        .changes;
    },
  };
}
