// The Redis connections of one gateway process: one for commands, one for pub/sub (a
// subscribed connection can run nothing else). Commands fail fast while Redis is away
// (no offline queue, short timeouts) so checks fail closed at once instead of hanging,
// and the clients reconnect forever in the background.
import { Redis, type RedisOptions } from "ioredis";
import { StoreUnavailableError } from "../store/types.js";

export interface RedisClients {
  command: Redis;
  subscriber: Redis;
  /** Prefix for every key and channel of this deployment. */
  prefix: string;
  close(): Promise<void>;
}

export interface RedisClientOptions {
  url: string;
  keyPrefix: string;
  onUp?: () => void;
  onDown?: (error?: unknown) => void;
}

const CLIENT_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 2_000,
  commandTimeout: 2_000,
  // Back off up to 1 s between reconnection attempts, forever.
  retryStrategy: (times) => Math.min(50 * times, 1_000),
  lazyConnect: true,
};

/**
 * Creates both clients and starts connecting. Never rejects: when Redis is away at start
 * the gateway still starts, reports it in /readyz, refuses the checks that need Redis, and
 * the clients keep reconnecting. `ready` settles true once connected (false on a failed
 * first attempt).
 */
export function connectRedis(options: RedisClientOptions): RedisClients & { ready: Promise<boolean> } {
  const command = new Redis(options.url, CLIENT_OPTIONS);
  // The subscriber queues its SUBSCRIBE until connected, and re-subscribes after a reconnect.
  const subscriber = new Redis(options.url, {
    ...CLIENT_OPTIONS,
    enableOfflineQueue: true,
    commandTimeout: undefined,
  });
  for (const client of [command, subscriber]) {
    // Without an "error" listener ioredis prints every failed reconnect; the state is
    // tracked through ready/close instead.
    client.on("error", () => {});
  }
  command.on("ready", () => options.onUp?.());
  command.on("close", () => options.onDown?.());
  const ready = Promise.all([command.connect(), subscriber.connect()]).then(
    () => true,
    (error: unknown) => {
      options.onDown?.(error);
      return false;
    },
  );
  return {
    command,
    subscriber,
    prefix: options.keyPrefix,
    ready,
    async close() {
      command.disconnect();
      subscriber.disconnect();
    },
  };
}

/** Runs a Redis call, turning "cannot reach Redis" into StoreUnavailableError. */
export async function redisCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isRedisConnectionError(error)) throw new StoreUnavailableError("redis", { cause: error });
    throw error;
  }
}

export function isRedisConnectionError(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const { message, code, name } = error as { message?: unknown; code?: unknown; name?: unknown };
  if (typeof code === "string" && /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH)$/.test(code))
    return true;
  if (name === "MaxRetriesPerRequestError") return true;
  return (
    typeof message === "string" &&
    /enableOfflineQueue|Connection is closed|Command timed out|Redis connection is not ready|Stream isn't writeable|connect ECONNREFUSED/i.test(
      message,
    )
  );
}
