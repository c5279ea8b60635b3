// Types for test-services.mjs (imported by tests).
export interface TestPostgres {
  url: string;
  adminUrl: string;
  port: number;
  dir: string;
  createDatabase(name: string): string;
  start(): void;
  restart(mode?: "fast" | "immediate" | "smart"): void;
  restartAsync(mode?: "fast" | "immediate" | "smart"): Promise<void>;
  stop(mode?: "fast" | "immediate" | "smart"): void;
  close(): void;
}
export interface TestRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
  closeSync(): void;
}
export function ensureInstalled(options?: { postgres?: boolean; redis?: boolean }): {
  pgBin: string | null;
  redisServer: string | null;
};
export function freePort(): Promise<number>;
export function startPostgres(): Promise<TestPostgres>;
export function startRedis(): Promise<TestRedis>;
/** The tests' PostgreSQL server (AGENTGW_TEST_DATABASE_URL, or one started for this process). */
export function testPostgresUrl(): Promise<string>;
/** A fresh, empty database on it. */
export function freshDatabaseUrl(): Promise<string>;
/** The tests' Redis server (AGENTGW_TEST_REDIS_URL, or one started for this process). */
export function testRedisUrl(): Promise<string>;
