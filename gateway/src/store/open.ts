// Picks the store engine from config: PostgreSQL when a database URL is set (shared by
// every gateway instance), otherwise the embedded SQLite file in the data dir.
import { openPostgresStore } from "./postgres/open.js";
import { openSqliteStore } from "./sqlite/open.js";
import type { Store } from "./types.js";

export interface OpenStoreOptions {
  databaseUrl?: string | undefined;
  /** PostgreSQL connections this process may hold. */
  maxConnections?: number;
  /** PostgreSQL only: told whether each call reached the server (feeds /readyz and metrics). */
  onAvailability?: (up: boolean) => void;
  dataDir: string;
  now?: () => Date;
}

export async function openStore({
  databaseUrl,
  maxConnections,
  onAvailability,
  dataDir,
  now,
}: OpenStoreOptions): Promise<Store> {
  if (databaseUrl) {
    return openPostgresStore({
      url: databaseUrl,
      ...(now ? { now } : {}),
      ...(maxConnections ? { maxConnections } : {}),
      ...(onAvailability ? { onAvailability } : {}),
    });
  }
  return openSqliteStore({ dataDir, ...(now ? { now } : {}) });
}
