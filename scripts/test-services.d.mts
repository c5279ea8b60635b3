// Types for test-services.mjs (imported by tests).
export interface TestPostgres {
  url: string;
  adminUrl: string;
  port: number;
  dir: string;
  createDatabase(name: string): string;
  start(): void;
  restart(mode?: "fast" | "immediate" | "smart"): void;
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
