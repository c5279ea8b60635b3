// Rate-limit counters in Redis, shared by every instance: rate-limiter-flexible's Redis
// limiter behind the same two-window limiter the in-memory default uses.
import type { Redis } from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { createFlexibleRateLimiter } from "../limits/flexible-rate-limiter.js";
import type { RateLimiter } from "../limits/rate-limiter.js";
import { redisCall } from "./redis-client.js";

export function createRedisRateLimiter(options: { redis: Redis; prefix: string }): RateLimiter {
  const inner = createFlexibleRateLimiter({
    makeLimiter: ({ keyPrefix, points, duration }) =>
      new RateLimiterRedis({
        storeClient: options.redis,
        keyPrefix: `${options.prefix}rl:${keyPrefix}`,
        points,
        // Redis expiries are whole seconds here (the library floors them, and a window under
        // a second would never expire): round up, which only makes the limit stricter.
        duration: Math.max(1, Math.ceil(duration)),
        rejectIfRedisNotReady: true,
      }),
  });
  return {
    consume: (key, rule, cost) => redisCall(() => inner.consume(key, rule, cost)),
    refund: (key, rule, cost) => redisCall(() => inner.refund(key, rule, cost)),
  };
}
