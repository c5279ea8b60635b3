// Test-only: the PostgreSQL and Redis servers tests run against. `npm test` starts one of
// each (scripts/test-services.mjs) and passes their URLs in AGENTGW_TEST_DATABASE_URL and
// AGENTGW_TEST_REDIS_URL; a test file run on its own starts its own and stops it on exit.
// Tests that stop or restart a server (fault tests) always start their own.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { startPostgres, startRedis } from "../../../../scripts/test-services.mjs";

let ownPostgres: Promise<string> | undefined;
let ownRedis: Promise<string> | undefined;

async function postgresServerUrl(): Promise<string> {
  const shared = process.env.AGENTGW_TEST_DATABASE_URL;
  if (shared) return shared;
  ownPostgres ??= startPostgres().then((server) => {
    process.once("exit", () => server.close());
    return server.url;
  });
  return ownPostgres;
}

/** A fresh, empty PostgreSQL database for one test; resolves to its URL. */
export async function freshDatabaseUrl(): Promise<string> {
  const url = new URL(await postgresServerUrl());
  const name = `t_${randomBytes(8).toString("hex")}`;
  const admin = new pg.Client({
    connectionString: Object.assign(new URL(url), { pathname: "/postgres" }).href,
  });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return url.href;
}

/** The Redis server for tests (shared: keys must be prefixed per test). */
export async function testRedisUrl(): Promise<string> {
  const shared = process.env.AGENTGW_TEST_REDIS_URL;
  if (shared) return shared;
  ownRedis ??= startRedis().then((server) => {
    process.once("exit", () => server.closeSync());
    return server.url;
  });
  return ownRedis;
}
