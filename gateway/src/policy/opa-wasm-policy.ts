// A typed adapter over @open-policy-agent/opa-wasm: load a compiled policy once,
// then turn each evaluation into our Decision. The SDK returns an untyped result
// set and throws strings; here every failure becomes a deny with a reason.
import { type LoadedPolicy, loadPolicy } from "@open-policy-agent/opa-wasm";
import type { Logger } from "pino";
import { CUSTOM_BUILTINS, HOST_BUILTINS } from "./builtins.js";
import { policyInvalid } from "./policy-invalid.js";
import { type Decision, decisionSchema, type Obligations, type PolicyInput } from "./types.js";

export const DECISION_ENTRYPOINT = "agentgw/decision";

/** WebAssembly pages of 64 KiB: start small, cap what one policy may use. */
export const DEFAULT_MEMORY = { initial: 16, maximum: 2048 } as const;

/** An evaluation that either produced a well-typed decision or failed, and why. */
export type Evaluation =
  | { ok: true; decision: Decision }
  | { ok: false; reason: string; detail: Record<string, unknown> };

export interface WasmPolicy {
  /** Synchronous and safe to call for any input: failures are denies (logged). */
  evaluate(input: PolicyInput): Decision;
  /** The same evaluation, telling failures apart from decisions (for the smoke test before a swap). */
  tryEvaluate(input: PolicyInput): Evaluation;
}

export interface LoadWasmPolicyOptions {
  logger: Logger;
  memory?: { initial: number; maximum: number };
}

function messageOf(error: unknown): string {
  if (typeof error === "string") return error;
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) return String(error.message);
  return String(error);
}

/** The names of the builtins the module expects its host to provide (its `builtins()` export). */
function importedBuiltins(policy: LoadedPolicy): string[] {
  const instance = "instance" in policy.wasmInstance ? policy.wasmInstance.instance : policy.wasmInstance;
  const exports = instance.exports as Record<string, unknown>;
  const builtins = exports.builtins as () => number;
  const dump = exports.opa_json_dump as (address: number) => number;
  const memory = new Uint8Array(policy.mem.buffer);
  const start = dump(builtins());
  const end = memory.indexOf(0, start);
  const names: unknown = JSON.parse(new TextDecoder().decode(memory.subarray(start, end)));
  return typeof names === "object" && names !== null ? Object.keys(names) : [];
}

/**
 * Loads a policy.wasm built with `opa build -t wasm -e agentgw/decision` and its
 * data document. Refuses (GatewayError policy_invalid) a module without that
 * entrypoint or one that needs builtins nobody provides: such a policy would
 * otherwise fail only when the code path using them runs.
 */
export async function loadWasmPolicy(
  wasm: Uint8Array,
  data: unknown,
  options: LoadWasmPolicyOptions,
): Promise<WasmPolicy> {
  const { logger, memory = DEFAULT_MEMORY } = options;
  let policy: LoadedPolicy;
  try {
    policy = await loadPolicy(wasm, memory, CUSTOM_BUILTINS);
  } catch (error) {
    throw policyInvalid(`the policy module could not be loaded: ${messageOf(error)}`, []);
  }
  const entrypoints: unknown = policy.entrypoints;
  const entrypoint =
    typeof entrypoints === "object" && entrypoints !== null
      ? (entrypoints as Record<string, unknown>)[DECISION_ENTRYPOINT]
      : undefined;
  if (typeof entrypoint !== "number") {
    throw policyInvalid(`the policy module has no ${DECISION_ENTRYPOINT} entrypoint`, []);
  }
  const unsupported = importedBuiltins(policy).filter((name) => !HOST_BUILTINS.has(name));
  if (unsupported.length > 0) {
    const problems = unsupported.map((name) => ({
      message: `builtin ${name} is not supported under WebAssembly`,
    }));
    throw policyInvalid(
      `the policy uses builtins the gateway cannot evaluate: ${unsupported.join(", ")}`,
      problems,
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw policyInvalid("the policy data document must be a JSON object", []);
  }
  try {
    policy.setData(data);
  } catch (error) {
    throw policyInvalid(`the policy data could not be loaded: ${messageOf(error)}`, []);
  }

  const tryEvaluate = (input: PolicyInput): Evaluation => {
    let resultSet: unknown;
    try {
      resultSet = policy.evaluate(input, entrypoint);
    } catch (error) {
      return { ok: false, reason: "the policy failed to evaluate", detail: { error: messageOf(error) } };
    }
    if (!Array.isArray(resultSet) || resultSet.length === 0) {
      return { ok: false, reason: "the policy decision is undefined", detail: {} };
    }
    const parsed = decisionSchema.safeParse((resultSet[0] as { result?: unknown }).result);
    if (!parsed.success) {
      const issues = parsed.error.issues.map(
        (issue) => `${issue.path.join(".") || "decision"}: ${issue.message}`,
      );
      return { ok: false, reason: "the policy decision is not a valid decision object", detail: { issues } };
    }
    const { allow, reasons, obligations, approval } = parsed.data;
    const decision: Decision = {
      allow,
      reasons: allow || reasons.length > 0 ? reasons : ["denied by policy"],
      obligations: obligations as Obligations,
      ...(approval && !allow ? { approval } : {}),
    };
    return { ok: true, decision };
  };

  return {
    tryEvaluate,
    evaluate(input) {
      const evaluation = tryEvaluate(input);
      if (evaluation.ok) return evaluation.decision;
      // Fail closed: the caller sees why in general terms; the log has the details.
      logger.warn({ ...evaluation.detail, reason: evaluation.reason }, "policy decision failed closed");
      return { allow: false, reasons: [evaluation.reason], obligations: {} };
    },
  };
}
