// Calls in flight per (agent, tool), counted in Redis so the bound holds across every
// gateway instance. Each admitted call holds a lease: a member of a sorted set per key,
// scored by when it expires. Taking a place trims expired leases, counts and adds in one
// Lua script, so two instances can never both take the last place. A process that dies
// while holding leases cannot leak them: they expire after `leaseMs` unless refreshed,
// and the holder refreshes them every third of that while the call runs (long streams
// included). Times come from the Redis server's clock, so gateways whose clocks disagree
// still agree on which leases are live. Redis unreachable → StoreUnavailableError (the
// call is refused, 503 store_unavailable).
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { InFlightCounter } from "../limits/concurrency.js";
import { redisCall } from "./redis-client.js";

// The Redis server's time in milliseconds, and the set's expiry kept at least one lease long.
const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
local function keep()
  if redis.call('PTTL', KEYS[1]) < lease then redis.call('PEXPIRE', KEYS[1], lease) end
end
`;

// KEYS[1] the key's lease set; ARGV[1] lease ms, ARGV[2] lease id, ARGV[3] limit.
// Returns 1 admitted, 0 every place taken.
const ACQUIRE = `${PRELUDE}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], now + lease, ARGV[2])
keep()
return 1
`;

// Same keys and first two arguments. Returns 1 extended, 0 the lease is gone (expired and trimmed).
const REFRESH = `${PRELUDE}
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[2])
keep()
return 1
`;

export interface RedisInFlightOptions {
  redis: Redis;
  prefix: string;
  /** How long a lease lives without a refresh: the most a crashed process's places stay taken. */
  leaseMs?: number;
  /** Called when refreshing a lease fails (Redis away); the lease may then lapse before the call ends. */
  onRefreshError?: (error: unknown) => void;
}

export const DEFAULT_LEASE_MS = 30_000;

export function createRedisInFlightCounter(options: RedisInFlightOptions): InFlightCounter {
  const { redis, prefix } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 3) throw new RangeError("leaseMs must be an integer ≥ 3");
  return {
    async acquire(key, limit) {
      const setKey = `${prefix}inflight:${key}`;
      const id = randomBytes(12).toString("base64url");
      const admitted = await redisCall(
        () => redis.eval(ACQUIRE, 1, setKey, leaseMs, id, limit) as Promise<number>,
      );
      if (admitted !== 1) return null;
      const refresh = setInterval(
        () => {
          redisCall(() => redis.eval(REFRESH, 1, setKey, leaseMs, id)).catch((error: unknown) =>
            options.onRefreshError?.(error),
          );
        },
        Math.floor(leaseMs / 3),
      );
      refresh.unref();
      return () => {
        clearInterval(refresh);
        // If Redis is away now, the lease simply expires.
        redis.zrem(setKey, id).catch(() => {});
      };
    },
  };
}
