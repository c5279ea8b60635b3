// Budget counters shared by every gateway instance: one Redis key per (agent, budget rule,
// period), holding used plus held. A hold is one Lua script over all the call's counters, so
// it is checked and added atomically, all or nothing, whichever instance asks. A counter
// Redis does not have is never assumed to be zero: the script reports it missing and the
// ledger (limits/shared-budget-ledger.ts) passes the store's count to start it from, set only
// if still missing (SET NX semantics: two instances seeding at once keep the first).
// Redis losing its data would lose holds not yet in the store, so a "budget epoch" key, set
// when a gateway starts, tells a new counter from a lost one: when it is gone, the script
// records when (Redis's own clock) and refuses to start counters for `fenceSeconds`, until
// every hold Redis granted before is either in the store or was never forwarded.
// Counters expire a day after their period ends. Redis unreachable → StoreUnavailableError.
import type { Redis } from "ioredis";
import type { BudgetCounters, LedgerKey } from "../limits/budget-ledger.js";
import { StoreUnavailableError } from "../store/types.js";
import { redisCall } from "./redis-client.js";

// KEYS[1] the epoch, KEYS[2..] the counters. ARGV[1] the fence (s); then, n = #KEYS - 1:
// amounts[n], limits[n], time to live in s[n], seeds[n] ('' none).
// Returns 0 when every hold was added; i (1-based) when counter i would pass its limit
// (nothing added); {0, …missing indexes} when counters without a seed are missing; {-1, s}
// when a counter is missing within s seconds of Redis losing its data (nothing changed).
const RESERVE = `
local n = #KEYS - 1
local now = tonumber(redis.call('TIME')[1])
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  redis.call('SET', KEYS[1], now)
  epoch = now
end
local missing = {}
for i = 1, n do
  local key = KEYS[i + 1]
  if redis.call('EXISTS', key) == 0 then
    local seed = ARGV[1 + 3 * n + i]
    if seed == '' then
      missing[#missing + 1] = i
    else
      redis.call('SET', key, seed)
      redis.call('EXPIRE', key, ARGV[1 + 2 * n + i])
    end
  end
end
if #missing > 0 then
  local wait = tonumber(epoch) + tonumber(ARGV[1]) - now
  if wait > 0 then return {-1, wait} end
  table.insert(missing, 1, 0)
  return missing
end
for i = 1, n do
  if tonumber(redis.call('GET', KEYS[i + 1])) + tonumber(ARGV[1 + i]) > tonumber(ARGV[1 + n + i]) then
    return i
  end
end
for i = 1, n do redis.call('INCRBY', KEYS[i + 1], ARGV[1 + i]) end
return 0
`;

// KEYS: the counters. ARGV: deltas. A missing counter is left missing: it will be seeded from
// the store, which gets the same delta.
const ADJUST = `
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    if redis.call('INCRBY', KEYS[i], ARGV[i]) < 0 then redis.call('SET', KEYS[i], 0, 'KEEPTTL') end
  end
end
return 0
`;

/** A day after the period's end: late settles still find their counter, and it then goes away. */
const KEEP_AFTER_PERIOD_SECONDS = 86_400;

/** Marks this Redis as holding the budget counters from now on (does nothing if it already does). */
export async function initBudgetEpoch(redis: Redis, prefix: string): Promise<void> {
  await redisCall(() => redis.set(`${prefix}budget-epoch`, "0", "NX"));
}

export interface RedisBudgetCounterOptions {
  /** Seconds after Redis lost its data during which no counter is started (see above). */
  fenceSeconds: number;
}

export function createRedisBudgetCounters(
  redis: Redis,
  prefix: string,
  { fenceSeconds }: RedisBudgetCounterOptions,
): BudgetCounters {
  // Agent ids are length-prefixed so no (agent, rule) pair can collide with another.
  const keyOf = (k: LedgerKey) => `${prefix}budget:${k.agentId.length}:${k.agentId}:${k.key}:${k.period}`;
  return {
    async reserve(holds, seeds = []) {
      const args = [
        fenceSeconds,
        ...holds.map((h) => h.amount),
        ...holds.map((h) => h.limit),
        ...holds.map((h) => h.secondsLeft + KEEP_AFTER_PERIOD_SECONDS),
        ...holds.map((_, i) => (seeds[i] === undefined ? "" : Math.ceil(seeds[i]!))),
      ];
      const result = (await redisCall(() =>
        redis.eval(RESERVE, holds.length + 1, `${prefix}budget-epoch`, ...holds.map(keyOf), ...args),
      )) as number | number[];
      if (Array.isArray(result) && result[0] === -1) {
        throw new StoreUnavailableError("redis", {
          reason:
            "Redis lost its budget counters: they are rebuilt from the store once every earlier hold is in it",
          retryAfterSeconds: Math.max(1, result[1]!),
        });
      }
      if (Array.isArray(result)) return { kind: "missing", indexes: result.slice(1).map((i) => i - 1) };
      return result === 0 ? { kind: "granted" } : { kind: "refused", index: result - 1 };
    },
    async adjust(changes) {
      const live = changes.filter((c) => c.delta !== 0);
      if (live.length === 0) return;
      await redisCall(() =>
        redis.eval(ADJUST, live.length, ...live.map((c) => keyOf(c.key)), ...live.map((c) => c.delta)),
      );
    },
    async read(keys) {
      if (keys.length === 0) return [];
      const values = await redisCall(() => redis.mget(...keys.map(keyOf)));
      return values.map((v) => (v === null ? null : Number(v)));
    },
  };
}
