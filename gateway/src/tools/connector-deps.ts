import type { Config } from "../config.js";
import type { ForwardHooks } from "../forward/forwarder.js";

/** One tool's resilience settings as config.ts parses them. */
export type ToolResilience = Config["tools"]["openai"]["resilience"];

/** What every connector factory takes besides its own settings. */
export interface ConnectorDeps {
  hooks?: ForwardHooks;
  /** Random number in [0, 1) for backoff jitter (tests make it deterministic). */
  random?: () => number;
}
