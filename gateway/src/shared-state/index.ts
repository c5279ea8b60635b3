// Composition of the state several gateway processes share, chosen in one place:
// with config.redis.url, replay nonces, rate-limit and budget counters, calls in flight and invalidation events go
// through Redis; without it, each lives in this process (one gateway, the default).
// main.ts builds it before the store (the store reports its health here) and hands it
// to createServices.
import type { Logger } from "pino";
import { createLocalInvalidationBus, type InvalidationBus } from "../cache/invalidation.js";
import type { Config } from "../config.js";
import type { NonceCache } from "../httpsig/nonce-cache.js";
import type { BudgetCounters } from "../limits/budget-ledger.js";
import type { InFlightCounter } from "../limits/concurrency.js";
import type { RateLimiter } from "../limits/rate-limiter.js";
import { budgetFenceSeconds } from "../limits/shared-budget-ledger.js";
import type { McpSessions } from "../mcp/sessions.js";
import { createDependencyHealth, type Dependency, type DependencyHealth } from "./dependency-health.js";
import { createRedisBudgetCounters, initBudgetEpoch } from "./redis-budget-counters.js";
import { connectRedis, redisCall } from "./redis-client.js";
import { createRedisInFlightCounter } from "./redis-in-flight.js";
import { createRedisInvalidationBus } from "./redis-invalidation-bus.js";
import { createRedisMcpSessions } from "./redis-mcp-sessions.js";
import { createRedisNonceCache, initNonceEpoch } from "./redis-nonce-cache.js";
import { createRedisRateLimiter } from "./redis-rate-limiter.js";

export type { Invalidation, InvalidationBus } from "../cache/invalidation.js";
export type { Dependency, DependencyHealth } from "./dependency-health.js";

export interface SharedState {
  health: DependencyHealth;
  bus: InvalidationBus;
  /** Set when Redis holds the replay nonces; otherwise services build the in-memory cache. */
  nonceCache?: NonceCache;
  /** Set when Redis holds the rate-limit counters. */
  rateLimiter?: RateLimiter;
  /** Set when Redis holds the budget counters (services then builds the shared budget ledger). */
  budgetCounters?: BudgetCounters;
  /** Set when Redis holds the agents' MCP sessions; otherwise they live in this process. */
  mcpSessions?: McpSessions;
  /** Set when Redis counts each agent's calls in flight. */
  inFlight?: InFlightCounter;
  /** Readiness of the shared servers this state itself uses (Redis); empty without them. */
  readiness(): Promise<Record<string, boolean>>;
  close(): Promise<void>;
}

/** One process, nothing shared: a local bus and no Redis. */
export function createLocalSharedState(dependencies: readonly Dependency[] = []): SharedState {
  const bus = createLocalInvalidationBus();
  return {
    health: createDependencyHealth(dependencies),
    bus,
    async readiness() {
      return {};
    },
    async close() {},
  };
}

export async function createSharedState(
  config: Pick<Config, "redis" | "database" | "signature"> & { mcp?: Pick<Config["mcp"], "sessions"> },
  logger: Logger,
  options: { now?: () => number } = {},
): Promise<SharedState> {
  const dependencies: Dependency[] = [];
  if (config.database.url) dependencies.push("postgres");
  if (config.redis.url) dependencies.push("redis");
  const health = createDependencyHealth(dependencies, {
    onChange: (dependency, up) =>
      up
        ? logger.info({ dependency }, "dependency reachable again")
        : logger.error({ dependency }, "dependency unreachable: checks that need it fail closed (503)"),
  });
  if (!config.redis.url) return { ...createLocalSharedState(), health };

  const redis = connectRedis({
    url: config.redis.url,
    keyPrefix: config.redis.keyPrefix,
    onUp: () => health.markUp("redis"),
    onDown: () => health.markDown("redis"),
  });
  if (await redis.ready) {
    await initNonceEpoch(redis.command, redis.prefix).catch(() => {});
    await initBudgetEpoch(redis.command, redis.prefix).catch(() => {});
  } else {
    logger.error("redis unreachable at start; retrying in the background");
  }
  const bus = createRedisInvalidationBus({
    command: redis.command,
    subscriber: redis.subscriber,
    prefix: redis.prefix,
    onPublishError: (error) =>
      logger.warn({ err: error }, "could not announce a change to other instances (redis unreachable)"),
  });
  const nonceCache = createRedisNonceCache({
    redis: redis.command,
    prefix: redis.prefix,
    maxEntriesPerOwner: config.signature.nonceQuotaPerAgent,
    acceptWindowSeconds: config.signature.maxAgeSeconds + config.signature.skewSeconds,
    ...(options.now ? { now: options.now } : {}),
  });
  const rateLimiter = createRedisRateLimiter({ redis: redis.command, prefix: redis.prefix });
  const budgetCounters = createRedisBudgetCounters(redis.command, redis.prefix, {
    fenceSeconds: budgetFenceSeconds(),
  });
  const mcpSessions = createRedisMcpSessions({
    redis: redis.command,
    prefix: redis.prefix,
    ...config.mcp?.sessions,
    ...(options.now ? { now: options.now } : {}),
  });
  const inFlight = createRedisInFlightCounter({ redis: redis.command, prefix: redis.prefix });
  return {
    health,
    bus,
    nonceCache: {
      remember: (kid, nonce, until, owner) =>
        health.guard("redis", async () => nonceCache.remember(kid, nonce, until, owner)),
    },
    rateLimiter: {
      consume: (key, rule, cost) => health.guard("redis", () => rateLimiter.consume(key, rule, cost)),
      refund: (key, rule, cost) => health.guard("redis", () => rateLimiter.refund(key, rule, cost)),
    },
    budgetCounters: {
      reserve: (holds, seeds) => health.guard("redis", () => budgetCounters.reserve(holds, seeds)),
      adjust: (changes) => health.guard("redis", () => budgetCounters.adjust(changes)),
      read: (keys) => health.guard("redis", () => budgetCounters.read(keys)),
    },
    mcpSessions: {
      open: (agentId, server, upstreamId) =>
        health.guard("redis", () => mcpSessions.open(agentId, server, upstreamId)),
      find: (id, agentId, server) => health.guard("redis", () => mcpSessions.find(id, agentId, server)),
      close: (id) => health.guard("redis", () => mcpSessions.close(id)),
    },
    inFlight: { acquire: (key, limit) => health.guard("redis", () => inFlight.acquire(key, limit)) },
    async readiness() {
      const up = await health
        .guard("redis", () => redisCall(() => redis.command.ping()))
        .then(() => true)
        .catch(() => false);
      return { redis: up };
    },
    async close() {
      await bus.close();
      await redis.close();
    },
  };
}
