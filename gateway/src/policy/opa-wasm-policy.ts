// A typed adapter over @open-policy-agent/opa-wasm: load a compiled policy once,
// then turn each evaluation into our Decision. The SDK returns an untyped result
// set and throws strings; here every failure becomes a deny with a reason.
import { type LoadedPolicy, loadPolicy } from "@open-policy-agent/opa-wasm";
import type { Logger } from "pino";
import { BoundedMap } from "../cache/bounded-map.js";
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

/** Distinct decisions remembered per loaded policy (a policy echoing its input could make many). */
const DECISION_MEMO_SIZE = 1024;

/** Checks a raw decision against the contract; the result is deeply frozen, so it can be shared. */
function validate(result: unknown): Evaluation {
  const parsed = decisionSchema.safeParse(result);
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
  return deepFreeze({ ok: true, decision });
}

/** What rawEvaluator reads of opa-wasm's LoadedPolicy beyond its typed surface (ABI 1.2 fast path). */
interface PolicyInternals {
  minorVersion: number;
  mem: WebAssembly.Memory;
  dataAddr: number;
  dataHeapPtr: number;
  wasmInstance: WebAssembly.Instance | { instance: WebAssembly.Instance };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const PAGE = 64 * 1024;

/**
 * Evaluates and returns the result set as JSON text. It is opa-wasm's own ABI 1.2 fast path
 * (`opa_eval`: input in, result out, one call), minus its per-call costs: the input is encoded
 * straight into the module's memory with one shared encoder, the result's end is found with a
 * native indexOf, and the text is handed back unparsed. Older modules use opa-wasm's evaluate.
 */
function rawEvaluator(policy: LoadedPolicy, entrypoint: number): (input: PolicyInput) => string {
  const internals = policy as unknown as PolicyInternals;
  const instance =
    "instance" in internals.wasmInstance ? internals.wasmInstance.instance : internals.wasmInstance;
  const opaEval = instance.exports.opa_eval as
    | ((
        reserved: number,
        entrypoint: number,
        data: number,
        input: number,
        length: number,
        heap: number,
        format: number,
      ) => number)
    | undefined;
  if (!(internals.minorVersion >= 2) || typeof opaEval !== "function") {
    return (input) => JSON.stringify(policy.evaluate(input, entrypoint));
  }
  return (input) => {
    const text = JSON.stringify(input);
    const inputAddr = internals.dataHeapPtr;
    const room = inputAddr + text.length * 3 - internals.mem.buffer.byteLength;
    if (room > 0) internals.mem.grow(Math.ceil(room / PAGE));
    const { written } = encoder.encodeInto(text, new Uint8Array(internals.mem.buffer, inputAddr));
    const resultAddr = opaEval(0, entrypoint, internals.dataAddr, inputAddr, written, inputAddr + written, 0);
    const memory = new Uint8Array(internals.mem.buffer);
    const end = memory.indexOf(0, resultAddr);
    return decoder.decode(memory.subarray(resultAddr, end));
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
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

  const evaluateRaw = rawEvaluator(policy, entrypoint);

  // One policy returns few distinct decisions. Each is validated once (the schema compiles every
  // block pattern, for instance) and then shared, frozen, for as long as this policy serves: a
  // decision's obligations are compiled once per policy revision, not once per call.
  const validated = new BoundedMap<string, Evaluation>(DECISION_MEMO_SIZE);

  const tryEvaluate = (input: PolicyInput): Evaluation => {
    let text: string;
    try {
      text = evaluateRaw(input);
    } catch (error) {
      return { ok: false, reason: "the policy failed to evaluate", detail: { error: messageOf(error) } };
    }
    // The result set's JSON text is the memo key: a decision seen before is not even parsed again.
    let evaluation = validated.get(text);
    if (!evaluation) {
      const resultSet: unknown = JSON.parse(text);
      if (!Array.isArray(resultSet) || resultSet.length === 0) {
        return { ok: false, reason: "the policy decision is undefined", detail: {} };
      }
      evaluation = validate((resultSet[0] as { result?: unknown }).result);
      validated.set(text, evaluation);
    }
    return evaluation;
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
