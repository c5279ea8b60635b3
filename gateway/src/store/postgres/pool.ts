// The PostgreSQL connection pool and the two helpers every table module uses:
// `query` (one statement) and `transaction` (several, all or nothing). Both turn a lost
// server into StoreUnavailableError, so callers fail closed with 503 store_unavailable
// instead of a 500, and the pool reconnects by itself when the server is back.
import pg from "pg";
import { StoreUnavailableError } from "../types.js";

export type Queryable = Pick<pg.PoolClient, "query">;

// BIGINT (20) and NUMERIC (1700) arrive as strings by default; ours (unix seconds,
// sequence numbers, budget amounts) fit a double exactly, so read them as numbers.
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

export interface PostgresPoolOptions {
  connectionString: string;
  /** Connections per process; default 10. */
  max?: number;
}

export function createPool({ connectionString, max = 10 }: PostgresPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    types,
    // Fail fast when the server is gone: a request waits at most this long for a connection.
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    // A statement that hangs (server frozen, network cut) is abandoned rather than held forever.
    query_timeout: 10_000,
    application_name: "agentgw",
  });
  // An idle connection the server dropped (restart, failover) emits here; without a
  // listener the process would crash. The pool discards it and opens a new one on demand.
  pool.on("error", () => {});
  return pool;
}

// Class 08 (connection exception), 57P01–57P03 (server shutting down / starting), 53300 (too many connections).
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]|53300)/;
const UNAVAILABLE_ERRNO = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
]);

/** Whether `error` means "the server could not be reached", as opposed to a bad statement. */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string" && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code)))
    return true;
  return (
    typeof message === "string" &&
    /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|connection is not open/i.test(
      message,
    )
  );
}

function mapError(error: unknown): unknown {
  return isConnectionError(error) ? new StoreUnavailableError("postgres", { cause: error }) : error;
}

export async function query<R extends pg.QueryResultRow>(
  db: Queryable,
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResult<R>> {
  try {
    return await db.query<R>(text, values);
  } catch (error) {
    throw mapError(error);
  }
}

/** Runs `fn` in one transaction on one connection; rolls back when it throws. */
export async function transaction<T>(pool: pg.Pool, fn: (client: Queryable) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw mapError(error);
  }
  let broken: Error | undefined;
  // A checked-out client whose connection drops emits "error" besides rejecting its query;
  // unheard, that event would crash the process. The rejection is what we act on.
  const onError = (error: Error) => {
    broken = error;
  };
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    if (isConnectionError(error)) broken = error instanceof Error ? error : new Error(String(error));
    else await client.query("ROLLBACK").catch(() => {});
    throw mapError(error);
  } finally {
    client.off("error", onError);
    // A connection that failed mid-transaction is destroyed, not returned to the pool.
    client.release(broken);
  }
}

/** The n-th parameter marker of a statement ($1, $2, …), for statements built from parts. */
export function param(n: number): string {
  return `$${n}`;
}

export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === "23505";
}
