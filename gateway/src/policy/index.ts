// The policy engine's public surface; everything else in this folder is internal.
export {
  createPolicyEngine,
  loadPolicyEngine,
  type PolicyEngine,
  type PolicyEngineOptions,
  type ReloadListener,
} from "./policy-engine.js";
export type { Decision, Obligations, PolicyInput, PolicyProblem, PolicyStatus } from "./types.js";
