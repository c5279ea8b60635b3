// The gateway's rate limits: per agent, per agent+tool and per source IP for
// unauthenticated failures, configured per tier (config.rateLimits). The agent
// limit is taken for every signed request as soon as its agent is known, before
// the policy, so a flood of denied requests is throttled like any other; the
// agent+tool limit is taken after the policy, because a policy obligation
// (`rate_limit`) may replace it.
import type { Config } from "../config.js";
import { GatewayError } from "../errors.js";
import { createMemoryRateLimiter } from "./memory-rate-limiter.js";
import {
  assertRateRule,
  type RateLimiter,
  type RateLimitResult,
  type RatePolicyName,
  type RateRule,
} from "./rate-limiter.js";
import { type RateLimitHeaders, rateLimitHeaders, refusalHeaders } from "./ratelimit-headers.js";

export type RateLimitsConfig = Pick<Config, "rateLimits">;

/** A policy obligation (`obligations.rate_limit`): replaces the agent+tool rule for this call. */
export interface RateLimitOverride {
  points: number;
  duration_seconds: number;
}

export interface RateLimitedAgent {
  id: string;
  tier: string;
}

export interface RateLimits {
  /**
   * Counts one signed request of `agent`. Resolves to the headers to add to the
   * response; throws GatewayError("rate_limited") with Retry-After,
   * RateLimit-Policy and RateLimit headers when over the limit.
   */
  checkAgent(agent: RateLimitedAgent): Promise<RateLimitHeaders>;
  /**
   * Counts one call of `agent` to `tool` under the tier's perTool rule, or under
   * `override` (a policy obligation) when given. Resolves to no headers when no
   * rule applies; throws like checkAgent when over.
   */
  checkTool(
    agent: RateLimitedAgent,
    tool: string,
    override?: RateLimitOverride | null,
  ): Promise<RateLimitHeaders>;
  /** Counts one unauthenticated failure from `ip`; throws rate_limited when over the limit. */
  checkUnauthenticatedIp(ip: string): Promise<RateLimitHeaders>;
}

export interface RateLimitsOptions {
  /** Defaults to the in-memory limiter of one process; the Redis-backed one when state is shared. */
  limiter?: RateLimiter;
  /** Called with the policy that refused a request (and the agent, if any), e.g. to count rate-limit hits. */
  onRefused?: (policy: RatePolicyName, agentId: string | null) => void;
}

/** CONTRACT.md §8: unless configured, each agent may make 600 requests a minute with bursts of 100. */
const CONTRACT_DEFAULT_PER_AGENT = { points: 600, windowSeconds: 60, burst: 100 } as const;

interface TierRules {
  agent: RateRule;
  agentTool: RateRule | null;
}

export function createRateLimits(config: RateLimitsConfig, options: RateLimitsOptions = {}): RateLimits {
  const limiter = options.limiter ?? createMemoryRateLimiter();
  const onRefused = options.onRefused ?? (() => {});

  // Resolve every tier's rules once, and refuse to start with a rule that cannot be enforced.
  const tiers = new Map<string, TierRules>();
  for (const [tier, spec] of Object.entries(config.rateLimits.tiers)) {
    const rules: TierRules = {
      agent: { name: "agent", ...spec.perAgent },
      agentTool: spec.perTool ? { name: "agent-tool", ...spec.perTool } : null,
    };
    assertRateRule(rules.agent, `rateLimits.tiers.${tier}.perAgent`);
    if (rules.agentTool) assertRateRule(rules.agentTool, `rateLimits.tiers.${tier}.perTool`);
    tiers.set(tier, rules);
  }
  const fallback: TierRules = tiers.get("default") ?? {
    agent: { name: "agent", ...CONTRACT_DEFAULT_PER_AGENT },
    agentTool: null,
  };
  const ipRule: RateRule = { name: "ip", ...config.rateLimits.unauthenticatedPerIp };
  assertRateRule(ipRule, "rateLimits.unauthenticatedPerIp");

  function refuse(refused: RateLimitResult, agentId: string | null): never {
    onRefused(refused.policyName, agentId);
    const headers = refusalHeaders(refused);
    throw new GatewayError(
      "rate_limited",
      `rate limit "${refused.policyName}" exceeded; retry after ${headers["Retry-After"]} s`,
      { headers },
    );
  }

  return {
    async checkAgent(agent) {
      const rules = tiers.get(agent.tier) ?? fallback;
      const result = await limiter.consume(agentKey(agent.id), rules.agent);
      if (!result.allowed) refuse(result, agent.id);
      return rateLimitHeaders([result]);
    },

    async checkTool(agent, tool, override) {
      const rules = tiers.get(agent.tier) ?? fallback;
      const toolRule = override ? overrideRule(override) : rules.agentTool;
      if (!toolRule) return {};
      const result = await limiter.consume(agentToolKey(agent.id, tool), toolRule);
      if (!result.allowed) refuse(result, agent.id);
      return rateLimitHeaders([result]);
    },

    async checkUnauthenticatedIp(ip) {
      const ipResult = await limiter.consume(`ip\u0000${ip}`, ipRule);
      if (!ipResult.allowed) refuse(ipResult, null);
      return rateLimitHeaders([ipResult]);
    },
  };
}

/** A policy's rule is exact: its whole quota may be used at once. */
function overrideRule(override: RateLimitOverride): RateRule {
  const rule: RateRule = {
    name: "agent-tool",
    points: override.points,
    windowSeconds: override.duration_seconds,
    burst: override.points,
  };
  assertRateRule(rule, "obligations.rate_limit");
  return rule;
}

// NUL cannot occur in agent ids, tool names or addresses, so keys never collide.
function agentKey(agentId: string): string {
  return `agent\u0000${agentId}`;
}

function agentToolKey(agentId: string, tool: string): string {
  return `agent-tool\u0000${agentId}\u0000${tool}`;
}
