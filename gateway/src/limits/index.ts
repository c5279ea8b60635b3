export { type BudgetPeriod, periodKey, secondsUntilNextPeriod } from "./budget-periods.js";
export {
  type BudgetedCall,
  type BudgetHold,
  type BudgetOutcome,
  type BudgetRule,
  type Budgets,
  type BudgetsOptions,
  type BudgetUnit,
  type BudgetUsage,
  createBudgets,
} from "./budgets.js";
export { type CallConcurrency, createCallConcurrency } from "./concurrency.js";
export { createFlexibleRateLimiter, type FlexibleRateLimiterOptions } from "./flexible-rate-limiter.js";
export type { RateLimiter, RateLimitResult, RatePolicyName, RateRule } from "./rate-limiter.js";
export {
  createRateLimits,
  type RateLimitOverride,
  type RateLimits,
  type RateLimitsOptions,
} from "./rate-limits.js";
export { type RateLimitHeaders, rateLimitHeaders, refusalHeaders } from "./ratelimit-headers.js";
export { requestedTokenCap } from "./token-estimate.js";
