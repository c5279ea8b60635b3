import type { Database } from "better-sqlite3";
import { type SigningKeyStore, StoreConflictError, type StoredSigningKey } from "../types.js";

interface SigningKeyRow {
  kid: string;
  sealed_private_key: string;
  created_at: string;
  retired_at: string | null;
  not_after: string | null;
}

function toStored(row: SigningKeyRow): StoredSigningKey {
  return {
    kid: row.kid,
    sealedPrivateKey: row.sealed_private_key,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
    notAfter: row.not_after,
  };
}

export function createSqliteSigningKeyStore(db: Database): SigningKeyStore {
  // The partial unique index (migration 7) allows one row with retired_at NULL: DO NOTHING
  // then means "someone else's key is current".
  const insert = db.prepare(
    `INSERT INTO signing_keys (kid, sealed_private_key, created_at, retired_at, not_after)
     VALUES (?, ?, ?, NULL, NULL) ON CONFLICT DO NOTHING`,
  );
  const rotateTx = db.transaction((key: StoredSigningKey, retiredAt: string, notAfter: string) => {
    db.prepare("UPDATE signing_keys SET retired_at = ?, not_after = ? WHERE retired_at IS NULL").run(
      retiredAt,
      notAfter,
    );
    if (insert.run(key.kid, key.sealedPrivateKey, key.createdAt).changes === 0) {
      throw new StoreConflictError("a signing key with this kid exists already");
    }
  });
  return {
    async list() {
      return db
        .prepare<[], SigningKeyRow>("SELECT * FROM signing_keys ORDER BY created_at, kid")
        .all()
        .map(toStored);
    },
    async insertFirst(key) {
      return insert.run(key.kid, key.sealedPrivateKey, key.createdAt).changes > 0;
    },
    async rotate(key, retiredAt, notAfter) {
      rotateTx(key, retiredAt, notAfter);
    },
    async pruneRetired(now) {
      return db.prepare("DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND not_after < ?").run(now)
        .changes;
    },
  };
}
