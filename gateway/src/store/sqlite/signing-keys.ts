import type { Database } from "better-sqlite3";
import { type SigningKeyRow, toStoredSigningKey } from "../signing-key-rows.js";
import { type SigningKeyStore, StoreConflictError, type StoredSigningKey } from "../types.js";

export function createSqliteSigningKeyStore(db: Database): SigningKeyStore {
  // The partial unique index (migration 9) allows one row with retired_at NULL: DO NOTHING
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
        .map(toStoredSigningKey);
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
