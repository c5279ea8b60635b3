// Replay protection that survives a restart, for the embedded single-process default: every
// accepted nonce is also written to a small SQLite file in the data dir, so the same signed
// request sent again after a restart (still inside its max age) is refused. The in-memory
// cache in front keeps the quotas and answers repeats without touching the file.
//
// Why persist instead of refusing signatures `created` before the process started: the
// latter also refuses honest requests for up to skew + max age after every restart (a
// client whose clock runs 20 s behind signs "before" the start for 20 s), while this costs
// a share of one group-committed write per signed request.
// The file is its own database, not a table of the store: nonces are short-lived hot state
// (like rate-limit counters, Redis's job when several gateways share state), not records.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import type { NonceCache } from "./nonce-cache.js";

export interface FileNonceCacheOptions {
  /** The data dir; the file is `<dataDir>/nonces.db`. */
  dataDir: string;
  /** The in-memory cache in front (quotas, fast repeats). */
  front: NonceCache;
  /** Clock in milliseconds; default Date.now. */
  now?: () => number;
  /** Expired rows are deleted at most this often; default 10 s. */
  pruneEveryMs?: number;
}

export function createFileNonceCache(options: FileNonceCacheOptions): NonceCache & { close(): void } {
  const { front } = options;
  const now = options.now ?? Date.now;
  const pruneEveryMs = options.pruneEveryMs ?? 10_000;
  if (typeof front?.remember !== "function") throw new TypeError("front must implement remember()");
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const db = new BetterSqlite3(join(options.dataDir, "nonces.db"));
  // WAL + synchronous=NORMAL: a process crash or restart loses nothing; only a power loss may
  // drop the last few rows (within one max age, the window they guard).
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(`CREATE TABLE IF NOT EXISTS nonces (
    kid TEXT NOT NULL,
    nonce TEXT NOT NULL,
    keep_until REAL NOT NULL,
    PRIMARY KEY (kid, nonce)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS nonces_keep_until ON nonces(keep_until);`);
  const upsert = db.prepare(`INSERT INTO nonces (kid, nonce, keep_until) VALUES (?, ?, ?)
    ON CONFLICT (kid, nonce) DO UPDATE SET keep_until = excluded.keep_until`);
  const prune = db.prepare("DELETE FROM nonces WHERE keep_until < ?");

  // At start the nonces still guarded are read back into the front, which from then on decides
  // alone: the file is written, never read, on the request path.
  const startUnix = now() / 1000;
  prune.run(startUnix);
  for (const row of db
    .prepare<[number], { kid: string; nonce: string; keep_until: number }>(
      "SELECT kid, nonce, keep_until FROM nonces WHERE keep_until >= ?",
    )
    .iterate(startUnix)) {
    try {
      front.remember(row.kid, row.nonce, row.keep_until);
    } catch {
      break; // the front is full: it was refusing new requests before the restart too
    }
  }
  let lastPrune = now();

  // Group commit: the nonces accepted in one turn of the event loop are written in one
  // transaction, and each request goes on only once its nonce is on disk (a restart then
  // refuses its replay). One commit serves many requests instead of one commit each.
  let pending: Array<{ kid: string; nonce: string; keepUntil: number; done: (error?: unknown) => void }> = [];
  const writeBatch = db.transaction((rows: typeof pending, nowUnix: number) => {
    for (const row of rows) upsert.run(row.kid, row.nonce, row.keepUntil);
    const nowMs = nowUnix * 1000;
    if (nowMs - lastPrune >= pruneEveryMs) {
      lastPrune = nowMs;
      prune.run(nowUnix);
    }
  });
  const flush = () => {
    const rows = pending;
    pending = [];
    if (rows.length === 0) return;
    try {
      writeBatch(rows, now() / 1000);
    } catch (error) {
      for (const row of rows) row.done(error);
      return;
    }
    for (const row of rows) row.done();
  };

  return {
    remember(kid, nonce, keepUntilUnix, owner) {
      if (!front.remember(kid, nonce, keepUntilUnix, owner)) return false;
      if (keepUntilUnix < now() / 1000) return true; // already unacceptable: nothing to guard
      return new Promise<boolean>((resolve, reject) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({
          kid,
          nonce,
          keepUntil: keepUntilUnix,
          done: (error) => (error ? reject(error) : resolve(true)),
        });
      });
    },
    close() {
      flush();
      db.close();
    },
  };
}
