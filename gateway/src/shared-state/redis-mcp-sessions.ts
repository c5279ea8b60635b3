// MCP sessions shared by every gateway instance: a Redis hash per session, keyed by the SHA-256 of the
// session id (the id itself, a bearer secret, is never stored), holding the agent, the server and the
// upstream session id, with a sliding expiry: each use restarts its idle timer. A per-agent sorted set
// (score = last use) bounds how many live sessions one agent holds: opening one more drops that agent's
// least recently used, never another agent's. Each operation is one Lua script, so instances racing on
// one session or agent see it whole. Redis unreachable → StoreUnavailableError (503, fail closed).
//
// The scripts name the agent's other session keys themselves (they derive them from the set), so the
// keys of one deployment must live on one Redis node (a single server or a replicated primary).
import type { Redis } from "ioredis";
import {
  DEFAULT_MCP_SESSION_LIMITS,
  type McpSessionLimits,
  type McpSessions,
  newSessionId,
  sessionKey,
} from "../mcp/sessions.js";
import { redisCall } from "./redis-client.js";

// KEYS[1] the session, KEYS[2] the agent's set. ARGV[1] agent, ARGV[2] server, ARGV[3] upstream id,
// ARGV[4] now (ms), ARGV[5] idle ms, ARGV[6] max per agent, ARGV[7] session key prefix, ARGV[8] the
// session's hash (member of the set).
const OPEN = `
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[4]) - tonumber(ARGV[5]))
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[6]) + 1
if excess > 0 then
  local oldest = redis.call('ZPOPMIN', KEYS[2], excess)
  for i = 1, #oldest, 2 do redis.call('DEL', ARGV[7] .. oldest[i]) end
end
redis.call('HSET', KEYS[1], 'agentId', ARGV[1], 'server', ARGV[2], 'upstreamId', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[8])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 1
`;

// KEYS[1] the session, KEYS[2] the asking agent's set. ARGV[1] agent, ARGV[2] server, ARGV[3] now (ms),
// ARGV[4] idle ms, ARGV[5] the session's hash. Returns the upstream id, or nil: unknown, expired, or
// another agent's or server's (the same answer, and the owner's timers are not touched).
const FIND = `
local v = redis.call('HMGET', KEYS[1], 'agentId', 'server', 'upstreamId')
if not v[1] or v[1] ~= ARGV[1] or v[2] ~= ARGV[2] then return false end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return v[3]
`;

// KEYS[1] the session. ARGV[1] agent set prefix, ARGV[2] the session's hash.
const CLOSE = `
local agent = redis.call('HGET', KEYS[1], 'agentId')
if agent then redis.call('ZREM', ARGV[1] .. agent, ARGV[2]) end
return redis.call('DEL', KEYS[1])
`;

export interface RedisMcpSessionOptions extends Partial<McpSessionLimits> {
  redis: Redis;
  prefix: string;
  /** Clock in milliseconds (the sets' last-use scores). */
  now?: () => number;
}

export function createRedisMcpSessions(options: RedisMcpSessionOptions): McpSessions {
  const { redis, prefix } = options;
  const { idleSeconds, maxPerAgent } = { ...DEFAULT_MCP_SESSION_LIMITS, ...options };
  const now = options.now ?? Date.now;
  const idleMs = idleSeconds * 1000;
  const sessionPrefix = `${prefix}mcp-session:`;
  const agentPrefix = `${prefix}mcp-sessions:`;
  return {
    async open(agentId, server, upstreamId) {
      const id = newSessionId();
      const key = sessionKey(id)!;
      await redisCall(() =>
        redis.eval(
          OPEN,
          2,
          sessionPrefix + key,
          agentPrefix + agentId,
          agentId,
          server,
          upstreamId,
          now(),
          idleMs,
          maxPerAgent,
          sessionPrefix,
          key,
        ),
      );
      return { id, agentId, server, upstreamId, protocolVersion: null };
    },

    async find(id, agentId, server) {
      const key = sessionKey(id);
      if (!key) return undefined;
      const upstreamId = (await redisCall(() =>
        redis.eval(FIND, 2, sessionPrefix + key, agentPrefix + agentId, agentId, server, now(), idleMs, key),
      )) as string | null;
      return typeof upstreamId === "string"
        ? { id, agentId, server, upstreamId, protocolVersion: null }
        : undefined;
    },

    async close(id) {
      const key = sessionKey(id);
      if (key) await redisCall(() => redis.eval(CLOSE, 1, sessionPrefix + key, agentPrefix, key));
    },
  };
}
