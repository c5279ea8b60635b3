// Replay protection shared by every gateway instance: a nonce is claimed with Redis
// `SET key 1 NX EX ttl`, so the first instance to see it wins and every other one finds it
// taken. A per-agent sorted set (score = keep-until) bounds how many live nonces one agent
// (all its keys together) may hold, so one busy or hostile agent cannot fill Redis. Both happen in one Lua
// script, atomically. Redis unreachable → StoreUnavailableError (the request is refused).
//
// A Redis that restarts without its data forgets the nonces of signatures that are still
// acceptable, which would reopen a replay window. An "epoch" key detects it: it is created
// (value 0) when a gateway starts; if a claim finds it gone, Redis lost its data while
// gateways were running, so the epoch is set to now and every claim is refused (503
// store_unavailable) until every signature made before can no longer be accepted.
import type { Redis } from "ioredis";
import { type NonceCache, NonceCacheFullError } from "../httpsig/nonce-cache.js";
import { StoreUnavailableError } from "../store/types.js";
import { redisCall } from "./redis-client.js";

// KEYS[1] nonce key, KEYS[2] the owner's live-nonce set, KEYS[3] the epoch
// ARGV[1] now (unix s), ARGV[2] keep-until (unix s), ARGV[3] quota, ARGV[4] the nonce's id
// in the set, ARGV[5] how long a signature stays acceptable (s)
// Returns 1 fresh, 0 replay, -n: quota full, the oldest live nonce expires in n seconds,
// or {n}: Redis lost its data; refuse for n more seconds.
const CLAIM = `
local epoch = redis.call('GET', KEYS[3])
if not epoch then
  redis.call('SET', KEYS[3], ARGV[1])
  epoch = ARGV[1]
end
local hold = tonumber(epoch) + tonumber(ARGV[5]) - tonumber(ARGV[1])
if hold > 0 then return {hold} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local live = redis.call('ZCARD', KEYS[2])
if live >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return -math.max(1, math.ceil(tonumber(oldest[2]) - tonumber(ARGV[1])))
end
local ttl = math.max(1, math.ceil(tonumber(ARGV[2]) - tonumber(ARGV[1])))
redis.call('SET', KEYS[1], '1', 'NX', 'EX', ttl)
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[2], ttl)
return 1
`;

export interface RedisNonceCacheOptions {
  redis: Redis;
  prefix: string;
  /** Live nonces one owner (agent) may hold at once; default 20 000. */
  maxEntriesPerOwner?: number;
  /** Seconds a signature stays acceptable (max age + skew): the hold after Redis lost its data. */
  acceptWindowSeconds: number;
  /** Clock in milliseconds. */
  now?: () => number;
}

/** Marks this Redis as holding the replay records from now on (does nothing if it already does). */
export async function initNonceEpoch(redis: Redis, prefix: string): Promise<void> {
  await redisCall(() => redis.set(`${prefix}nonce-epoch`, "0", "NX"));
}

export function createRedisNonceCache(options: RedisNonceCacheOptions): NonceCache {
  const { redis, prefix } = options;
  const quota = options.maxEntriesPerOwner ?? 20_000;
  const now = options.now ?? Date.now;
  if (!Number.isSafeInteger(quota) || quota < 1)
    throw new RangeError("maxEntriesPerOwner must be a positive integer");
  return {
    async remember(kid, nonce, keepUntilUnix, owner = kid) {
      const nowUnix = Math.floor(now() / 1000);
      if (keepUntilUnix < nowUnix) return true; // already unacceptable: nothing to guard
      // kid and nonce are untrusted text: length-prefixed so no pair collides with another.
      const id = `${kid.length}:${kid}:${nonce}`;
      const result = await redisCall(
        () =>
          redis.eval(
            CLAIM,
            3,
            `${prefix}nonce:${id}`,
            `${prefix}nonces:${owner}`,
            `${prefix}nonce-epoch`,
            nowUnix,
            keepUntilUnix,
            quota,
            id,
            options.acceptWindowSeconds,
          ) as Promise<number | [number]>,
      );
      if (Array.isArray(result)) {
        throw new StoreUnavailableError("redis", {
          reason:
            "Redis lost its replay records while the gateway ran: signed requests are refused until every signature made before can no longer be used",
          retryAfterSeconds: Math.max(1, result[0]),
        });
      }
      if (result < 0) throw new NonceCacheFullError(-result);
      return result === 1;
    },
  };
}
