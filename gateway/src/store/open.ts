// Picks the store engine from config: PostgreSQL when a database URL is set (shared by
// every gateway instance), otherwise the embedded SQLite file in the data dir.
import { openPostgresStore } from "./postgres/open.js";
import { openSqliteStore } from "./sqlite/open.js";
import type { Store } from "./types.js";

export interface OpenStoreOptions {
  databaseUrl?: string | undefined;
  /** PostgreSQL connections this process may hold. */
  maxConnections?: number;
  dataDir: string;
  now?: () => Date;
}

export async function openStore({
  databaseUrl,
  maxConnections,
  dataDir,
  now,
}: OpenStoreOptions): Promise<Store> {
  if (databaseUrl) {
    return openPostgresStore({
      url: databaseUrl,
      ...(now ? { now } : {}),
      ...(maxConnections ? { maxConnections } : {}),
    });
  }
  return openSqliteStore({ dataDir, ...(now ? { now } : {}) });
}
