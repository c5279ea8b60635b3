// Per-agent concurrency to an upstream: how many calls one agent may have in flight to one tool at once
// (config rateLimits.tiers.<tier>.concurrency). Rate limits bound how often calls start; this bounds how
// many run, so one agent with slow calls (long completions, slow sites) cannot hold every upstream
// connection the gateway has. Over the bound a call is refused at once (429 rate_limited, Retry-After: 1)
// rather than queued, so waiting calls never pin memory. Counted per gateway process.
import type { Config } from "../config.js";
import { GatewayError } from "../errors.js";

export type ConcurrencyConfig = Pick<Config, "rateLimits">;

export interface CallConcurrency {
  /** Admits one call of `agent` to `tool`; resolves to its release (call it once, when the call is over). */
  enter(agent: { id: string; tier: string }, tool: string): Promise<() => void>;
}

export interface ConcurrencyOptions {
  /** Called when a call is refused, e.g. to count rate-limit hits. */
  onRefused?: (agentId: string) => void;
}

export function createCallConcurrency(
  config: ConcurrencyConfig,
  options: ConcurrencyOptions = {},
): CallConcurrency {
  const tiers = config.rateLimits.tiers;
  const limitFor = (tier: string) => (tiers[tier] ?? tiers.default)?.concurrency ?? DEFAULT_CONCURRENCY;
  const inFlight = new Map<string, number>();
  return {
    async enter(agent, tool) {
      const key = `${agent.id}\u0000${tool}`;
      const limit = limitFor(agent.tier);
      const current = inFlight.get(key) ?? 0;
      if (current >= limit) {
        options.onRefused?.(agent.id);
        throw new GatewayError(
          "rate_limited",
          `at most ${limit} calls to ${tool} may be in flight at once for this agent; retry when one finishes`,
          { headers: { "Retry-After": "1" } },
        );
      }
      inFlight.set(key, current + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (inFlight.get(key) ?? 1) - 1;
        if (left <= 0) inFlight.delete(key);
        else inFlight.set(key, left);
      };
    },
  };
}

/** Used when neither the agent's tier nor the default tier is configured. */
export const DEFAULT_CONCURRENCY = 16;
