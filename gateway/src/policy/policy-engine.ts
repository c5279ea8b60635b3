// The policy engine the gateway asks on every token request and tool call. It
// holds one loaded policy and swaps it atomically on reload; a policy that does
// not compile, load or smoke-evaluate is refused and the last good one stays.
import { type FSWatcher, watch as watchFiles } from "chokidar";
import type { Logger } from "pino";
import { GatewayError } from "../errors.js";
import { DEFAULT_MEMORY, loadWasmPolicy, type WasmPolicy } from "./opa-wasm-policy.js";
import { policyInvalid } from "./policy-invalid.js";
import { smokeInputs } from "./smoke-input.js";
import { createPolicySource } from "./sources/create-source.js";
import type { PolicySource, SourceVersion } from "./sources/types.js";
import type { Decision, PolicyInput, PolicyProblem, PolicyStatus } from "./types.js";

export interface PolicyEngineOptions {
  /** A folder of .rego files, a bundle.tar.gz path, or an http(s) bundle URL. */
  source: string;
  logger: Logger;
  /** The OPA CLI that compiles a folder source (config `policy.opaPath`); unused for bundles. */
  opaPath: string;
  /** Reload when the folder changes, or poll the bundle URL. Default true. */
  watch?: boolean;
  /** How often a bundle URL is polled. Default 30 s. */
  pollIntervalMs?: number;
  /** How long folder changes settle before a reload. Default 300 ms. */
  debounceMs?: number;
  now?: () => Date;
}

export interface PolicyEngine {
  /** Synchronous; denies (fail closed) when no policy is loaded or evaluation fails. */
  decide(input: PolicyInput): Decision;
  /** Loads the source now. Throws GatewayError policy_invalid (with `errors`) and keeps the old policy if refused. */
  reload(): Promise<{ revision: string }>;
  status(): PolicyStatus | null;
  ready(): boolean;
  close(): Promise<void>;
}

interface Loaded extends SourceVersion {
  policy: WasmPolicy;
  status: PolicyStatus;
}

function validate(options: PolicyEngineOptions): void {
  if (typeof options !== "object" || options === null)
    throw new TypeError("policy engine options are required");
  if (!options.logger) throw new TypeError("policy engine needs a logger");
  for (const name of ["pollIntervalMs", "debounceMs"] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new RangeError(`${name} must be a positive number of milliseconds`);
    }
  }
  if (typeof options.opaPath !== "string" || options.opaPath === "") {
    throw new TypeError("opaPath must be a non-empty string");
  }
}

export function createPolicyEngine(options: PolicyEngineOptions): PolicyEngine {
  validate(options);
  const { logger, watch = true, pollIntervalMs = 30_000, debounceMs = 300, now = () => new Date() } = options;
  const source: PolicySource = createPolicySource(options.source, { opaPath: options.opaPath });
  const log = logger.child({ component: "policy", source: source.description });

  let current: Loaded | null = null;
  let inFlight: Promise<{ revision: string }> | null = null;
  let queued: Promise<{ revision: string }> | null = null;
  let closed = false;

  async function loadOnce(): Promise<{ revision: string }> {
    const fetched = await source.load(current);
    if (!fetched) {
      if (!current) throw policyInvalid("the policy source returned nothing to load", []);
      return { revision: current.status.revision };
    }
    const policy = await loadWasmPolicy(fetched.bundle.wasm, fetched.bundle.data, {
      logger: log,
      memory: DEFAULT_MEMORY,
    });
    // Smoke test: the candidate must evaluate sample inputs without errors and
    // return well-typed decisions (or none) before it may serve.
    const problems: PolicyProblem[] = [];
    for (const sample of smokeInputs(now())) {
      const evaluation = policy.tryEvaluate(sample);
      if (!evaluation.ok && evaluation.reason !== "the policy decision is undefined") {
        const detail = Object.values(evaluation.detail).flat().join("; ");
        problems.push({
          message: `${sample.phase} phase sample: ${evaluation.reason}${detail ? `: ${detail}` : ""}`,
        });
      }
    }
    if (problems.length > 0) throw policyInvalid("the policy failed its smoke evaluation", problems);
    const status: PolicyStatus = {
      revision: fetched.revision,
      loadedAt: now().toISOString(),
      source: source.description,
    };
    current = {
      policy,
      status,
      fingerprint: fetched.fingerprint,
      ...(fetched.etag ? { etag: fetched.etag } : {}),
    };
    log.info({ revision: status.revision }, "policy loaded");
    return { revision: status.revision };
  }

  /** One load at a time; a reload asked for during a load runs once after it, for everyone who asked. */
  function reload(): Promise<{ revision: string }> {
    if (closed) return Promise.reject(new GatewayError("not_ready", "the policy engine is closed"));
    if (!inFlight) {
      inFlight = loadOnce().finally(() => {
        inFlight = null;
      });
      return inFlight;
    }
    if (!queued) {
      queued = inFlight
        .catch(() => undefined)
        .then(() => {
          queued = null;
          return reload();
        });
    }
    return queued;
  }

  function reloadInBackground(trigger: string): void {
    reload().catch((error: unknown) => {
      if (error instanceof GatewayError) {
        log.error(
          { trigger, detail: error.detail, errors: error.extensions.errors },
          "policy refused; the previous one keeps serving",
        );
      } else {
        log.error({ trigger, err: error }, "policy reload failed; the previous one keeps serving");
      }
    });
  }

  let watcher: FSWatcher | null = null;
  let debounce: NodeJS.Timeout | null = null;
  let poller: NodeJS.Timeout | null = null;
  if (watch && source.watchPath) {
    const watchPath = source.watchPath;
    watcher = watchFiles(watchPath, {
      ignoreInitial: true,
      ignored: (path) => /[\\/](node_modules|dist)([\\/]|$)/.test(path.slice(watchPath.length)),
    });
    watcher.on("all", (_event, path) => {
      if (!/\.(rego|json|yaml)$/.test(path) || /_test\.rego$/.test(path)) return;
      if (debounce) clearTimeout(debounce);
      debounce = setTimeout(() => {
        debounce = null;
        reloadInBackground("watch");
      }, debounceMs);
    });
    watcher.on("error", (error) => log.error({ err: error }, "policy folder watcher failed"));
  }
  if (watch && source.kind === "url") {
    poller = setInterval(() => reloadInBackground("poll"), pollIntervalMs);
    poller.unref();
  }

  return {
    decide(input) {
      if (!current) return { allow: false, reasons: ["no policy is loaded"], obligations: {} };
      return current.policy.evaluate(input);
    },
    reload,
    status: () => (current ? { ...current.status } : null),
    ready: () => current !== null,
    async close() {
      closed = true;
      if (debounce) clearTimeout(debounce);
      if (poller) clearInterval(poller);
      await watcher?.close();
      await Promise.allSettled([inFlight, queued]);
    },
  };
}

/** Creates an engine and loads its first policy; throws policy_invalid if that policy is refused. */
export async function loadPolicyEngine(options: PolicyEngineOptions): Promise<PolicyEngine> {
  const engine = createPolicyEngine(options);
  try {
    await engine.reload();
  } catch (error) {
    await engine.close();
    throw error;
  }
  return engine;
}
