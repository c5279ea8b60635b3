// Per-agent concurrency to an upstream: how many calls one agent may have in flight to one tool at once
// (config rateLimits.tiers.<tier>.concurrency). Rate limits bound how often calls start; this bounds how
// many run, so one agent with slow calls (long completions, slow sites) cannot hold every upstream
// connection the gateway has. Over the bound a call is refused at once (429 rate_limited, Retry-After: 1)
// rather than queued, so waiting calls never pin memory. The count lives behind InFlightCounter: in this
// process by default, in Redis when several gateways share it (shared-state/redis-in-flight.ts), so the
// bound holds for the agent across every instance, not per instance.
import type { Config } from "../config.js";
import { GatewayError } from "../errors.js";

export type ConcurrencyConfig = Pick<Config, "rateLimits">;

export interface CallConcurrency {
  /** Admits one call of `agent` to `tool`; resolves to its release (call it once, when the call is over). */
  enter(agent: { id: string; tier: string }, tool: string): Promise<() => void>;
}

/** Counts what is in flight under one key; implementations: memory (below) and Redis. */
export interface InFlightCounter {
  /** Takes one of `limit` places under `key`; resolves to its release, or null when all are taken. */
  acquire(key: string, limit: number): Promise<(() => void) | null>;
}

export interface ConcurrencyOptions {
  /** Where the count lives; by default in this process. */
  counter?: InFlightCounter;
  /** Called when a call is refused, e.g. to count rate-limit hits. */
  onRefused?: (agentId: string) => void;
}

export function createCallConcurrency(
  config: ConcurrencyConfig,
  options: ConcurrencyOptions = {},
): CallConcurrency {
  const tiers = config.rateLimits.tiers;
  const limitFor = (tier: string) => (tiers[tier] ?? tiers.default)?.concurrency ?? DEFAULT_CONCURRENCY;
  const counter = options.counter ?? createMemoryInFlightCounter();
  return {
    async enter(agent, tool) {
      const limit = limitFor(agent.tier);
      // Agent ids are the gateway's own; the length prefix still keeps any (id, tool) pair apart.
      const release = await counter.acquire(`${agent.id.length}:${agent.id}:${tool}`, limit);
      if (!release) {
        options.onRefused?.(agent.id);
        throw new GatewayError(
          "rate_limited",
          `at most ${limit} calls to ${tool} may be in flight at once for this agent; retry when one finishes`,
          { headers: { "Retry-After": "1" } },
        );
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release();
      };
    },
  };
}

/** One process: a count per key, dropped when it reaches zero. */
export function createMemoryInFlightCounter(): InFlightCounter {
  const inFlight = new Map<string, number>();
  return {
    async acquire(key, limit) {
      const current = inFlight.get(key) ?? 0;
      if (current >= limit) return null;
      inFlight.set(key, current + 1);
      return () => {
        const left = (inFlight.get(key) ?? 1) - 1;
        if (left <= 0) inFlight.delete(key);
        else inFlight.set(key, left);
      };
    },
  };
}

/** Used when neither the agent's tier nor the default tier is configured. */
export const DEFAULT_CONCURRENCY = 16;
