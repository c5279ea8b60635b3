// Announcements every gateway instance must hear at once: a cached agent, key or token is
// stale (revoked, suspended, deleted), the signing keys rotated, or an admin reloaded the
// policy. In one process the bus is a local fan-out; with Redis it is a pub/sub channel,
// so each instance drops its caches or reloads when any instance changes something.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";

export type Invalidation =
  | { kind: "agent"; agentId: string }
  | { kind: "key"; kid: string }
  | { kind: "token"; jti: string }
  | { kind: "signing-keys" }
  | { kind: "policy-reload" };

const invalidationSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("agent"), agentId: z.string().min(1).max(200) }),
  z.object({ kind: z.literal("key"), kid: z.string().min(1).max(200) }),
  z.object({ kind: z.literal("token"), jti: z.string().min(1).max(200) }),
  z.object({ kind: z.literal("signing-keys") }),
  z.object({ kind: z.literal("policy-reload") }),
]);

export interface InvalidationBus {
  /** Tells every instance, this one included (synchronously, before the promise settles). */
  publish(event: Invalidation): Promise<void>;
  /**
   * `handler` hears every event; `remote` is true for events another instance published.
   * Returns a function that unsubscribes.
   */
  subscribe(handler: (event: Invalidation, remote: boolean) => void): () => void;
  close(): Promise<void>;
}

function createFanOut() {
  const handlers = new Set<(event: Invalidation, remote: boolean) => void>();
  return {
    handlers,
    deliver(event: Invalidation, remote: boolean) {
      for (const handler of handlers) {
        try {
          handler(event, remote);
        } catch {
          // one subscriber's failure must not keep the others from hearing
        }
      }
    },
    subscribe(handler: (event: Invalidation, remote: boolean) => void) {
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },
  };
}

export function createLocalInvalidationBus(): InvalidationBus {
  const fanOut = createFanOut();
  return {
    async publish(event) {
      fanOut.deliver(event, false);
    },
    subscribe: fanOut.subscribe,
    async close() {
      fanOut.handlers.clear();
    },
  };
}

export interface RedisInvalidationBusOptions {
  command: Redis;
  subscriber: Redis;
  prefix: string;
  /** A message could not be published (Redis away); other instances may keep a stale cache until their TTL. */
  onPublishError?: (error: unknown) => void;
  /** The subscription was (re-)established: caches may have missed events meanwhile and should be dropped. */
  onResubscribed?: () => void;
}

export function createRedisInvalidationBus(options: RedisInvalidationBusOptions): InvalidationBus {
  const { command, subscriber, prefix } = options;
  const channel = `${prefix}invalidate`;
  const origin = randomUUID();
  const fanOut = createFanOut();
  subscriber.on("message", (from: string, text: string) => {
    if (from !== channel) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    const envelope = z.object({ origin: z.string(), event: invalidationSchema }).safeParse(message);
    if (!envelope.success || envelope.data.origin === origin) return;
    fanOut.deliver(envelope.data.event, true);
  });
  // Not awaited: while Redis is away at start the SUBSCRIBE waits in the client's queue.
  subscriber.subscribe(channel).catch(() => {});
  // Connected already, so any later "ready" is a reconnect: ioredis re-subscribes by itself,
  // but events published while away were lost.
  subscriber.on("ready", () => options.onResubscribed?.());
  return {
    async publish(event) {
      fanOut.deliver(event, false);
      try {
        await command.publish(channel, JSON.stringify({ origin, event }));
      } catch (error) {
        options.onPublishError?.(error);
      }
    },
    subscribe: fanOut.subscribe,
    async close() {
      fanOut.handlers.clear();
      await subscriber.unsubscribe(channel).catch(() => {});
    },
  };
}
