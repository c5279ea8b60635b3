// The invalidation bus (cache/invalidation.ts) across instances: events are delivered to
// this instance's listeners first, then published on a Redis channel that every other
// instance subscribes to. While the subscription is down, events from others may be
// missed, so the bus says caches are not to be trusted (cacheable() is false) and tells
// its listeners to drop everything when it goes down and again when it is back.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Invalidation, InvalidationBus, InvalidationListener } from "../cache/invalidation.js";

const invalidationSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("agent"), agentId: z.string().min(1).max(200) }),
  z.object({ kind: z.literal("key"), kid: z.string().min(1).max(200) }),
  z.object({ kind: z.literal("token"), jti: z.string().min(1).max(200) }),
  z.object({ kind: z.literal("agent-tokens"), agentId: z.string().min(1).max(200) }),
  z.object({ kind: z.literal("credential"), name: z.string().min(1).max(200) }),
  z.object({ kind: z.literal("all") }),
  z.object({ kind: z.literal("signing-keys") }),
  z.object({ kind: z.literal("policy-reload") }),
  z.object({ kind: z.literal("credentials") }),
]) satisfies z.ZodType<Invalidation>;

export interface RedisInvalidationBusOptions {
  command: Redis;
  subscriber: Redis;
  prefix: string;
  /** A message could not be published (Redis away): other instances stop caching meanwhile anyway. */
  onPublishError?: (error: unknown) => void;
}

export function createRedisInvalidationBus(
  options: RedisInvalidationBusOptions,
): InvalidationBus & { close(): Promise<void> } {
  const { command, subscriber, prefix } = options;
  const channel = `${prefix}invalidate`;
  const origin = randomUUID();
  const listeners = new Set<InvalidationListener>();
  let subscribed = false;

  const deliver = (event: Invalidation, remote: boolean) => {
    for (const listener of listeners) {
      try {
        listener(event, remote);
      } catch {
        // one listener's failure must not keep the others from hearing
      }
    }
  };

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
    deliver(envelope.data.event, true);
  });
  const subscribe = () =>
    subscriber.subscribe(channel).then(
      () => {
        if (!subscribed) deliver({ kind: "all" }, false);
        subscribed = true;
      },
      () => {},
    );
  // While Redis is away at start the SUBSCRIBE waits in the client's queue.
  void subscribe();
  subscriber.on("close", () => {
    if (subscribed) deliver({ kind: "all" }, false);
    subscribed = false;
  });
  // ioredis re-subscribes by itself after a reconnect; this also learns when that happened.
  subscriber.on("ready", () => void subscribe());

  return {
    async publish(event) {
      deliver(event, false);
      try {
        await command.publish(channel, JSON.stringify({ origin, event }));
      } catch (error) {
        options.onPublishError?.(error);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    cacheable: () => subscribed,
    async close() {
      listeners.clear();
      await subscriber.unsubscribe(channel).catch(() => {});
    },
  };
}
