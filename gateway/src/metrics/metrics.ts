// The gateway's Prometheus metrics. One Registry per app (never prom-client's
// global one) so tests can build several apps in one process. Every series is
// prefixed `agentgw_`; label values are bounded: tool, action and code come
// from fixed tables, and agent ids appear only when config.metrics.agentLabels is on.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export type RouteClass = "admin" | "agent" | "tool" | "token" | "ops";
export type Stage = "signature" | "token" | "policy" | "upstream" | "total";
export type BreakerState = "closed" | "half-open" | "open";
export type RatePolicy = "agent" | "agent-tool" | "ip" | "concurrency";

export interface RequestObservation {
  routeClass: RouteClass;
  /** Catalog tool name, or null when the request named none (or an unknown one). */
  tool?: string | null;
  action?: string | null;
  status: number;
  /** The problem code, or "ok" for a success. */
  code: string;
  /** Whole-request latency. */
  seconds: number;
  /** Only used when agent labels are enabled. */
  agentId?: string | null;
}

export interface Metrics {
  observeRequest(request: RequestObservation): void;
  observeStage(stage: Stage, seconds: number): void;
  policyDecision(phase: "token" | "call", allow: boolean): void;
  rateLimitHit(policy: RatePolicy, agentId?: string | null): void;
  /** `kind`: a short fixed word such as "timeout", "connect", "status", "breaker_open". */
  upstreamError(tool: string, kind: string): void;
  upstreamRetry(tool: string): void;
  tokenMinted(tool: string, agentId?: string | null): void;
  budgetUsed(tool: string, unit: "calls" | "tokens", amount: number, agentId?: string | null): void;
  signatureFailure(code: string): void;
  /** Read at every scrape; a source that throws leaves the gauge empty for that scrape. */
  setBreakerStateSource(source: () => ReadonlyMap<string, BreakerState>): void;
  /** Read at every scrape: shared servers (postgres, redis) and whether each is reachable. */
  setDependencySource(source: () => ReadonlyMap<string, boolean>): void;
  readonly registry: Registry;
  readonly contentType: string;
  render(): Promise<string>;
}

export interface MetricsOptions {
  /** Adds an `agent` label to per-agent series; multiplies series by agents. */
  agentLabels: boolean;
  /** Process metrics (CPU, memory, event loop); on by default. */
  processMetrics?: boolean;
}

const PREFIX = "agentgw_";
/** Seconds: from a cache hit to a slow upstream completion. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, "half-open": 1, open: 2 };
const ROUTE_CLASSES: ReadonlySet<string> = new Set(["admin", "agent", "tool", "token", "ops"]);
const STAGES: ReadonlySet<string> = new Set(["signature", "token", "policy", "upstream", "total"]);

export function createMetrics(options: MetricsOptions): Metrics {
  if (typeof options?.agentLabels !== "boolean") {
    throw new TypeError("createMetrics: options.agentLabels must be a boolean");
  }
  const { agentLabels } = options;
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const registers = [registry];
  const withAgent = (labels: string[]) => (agentLabels ? [...labels, "agent"] : labels);
  const agentLabel = (agentId: string | null | undefined) =>
    agentLabels ? { agent: bounded(agentId, 128) } : {};

  const requests = new Counter({
    name: `${PREFIX}requests_total`,
    help: "Requests answered, by route class, tool, action, HTTP status and outcome code (problem code or ok).",
    labelNames: withAgent(["route_class", "tool", "action", "status", "code"]),
    registers,
  });
  const requestDuration = new Histogram({
    name: `${PREFIX}request_duration_seconds`,
    help: "Whole-request latency by route class.",
    labelNames: ["route_class"],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const stageDuration = new Histogram({
    name: `${PREFIX}stage_duration_seconds`,
    help: "Latency of pipeline stages: signature, token, policy, upstream, and total.",
    labelNames: ["stage"],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const policyDecisions = new Counter({
    name: `${PREFIX}policy_decisions_total`,
    help: "Policy decisions by phase (token, call) and outcome (allow true/false).",
    labelNames: ["phase", "allow"],
    registers,
  });
  const rateLimitHits = new Counter({
    name: `${PREFIX}rate_limit_hits_total`,
    help: "Requests refused by a rate limit, by policy (agent, agent-tool, ip, concurrency).",
    labelNames: withAgent(["policy"]),
    registers,
  });
  let breakerSource: () => ReadonlyMap<string, BreakerState> = () => new Map();
  new Gauge({
    name: `${PREFIX}circuit_breaker_state`,
    help: "Upstream circuit breaker per tool: 0 closed, 1 half-open, 2 open.",
    labelNames: ["tool"],
    registers,
    // With workers (cluster-metrics.ts): the worst state any worker's breaker is in.
    aggregator: "max",
    collect() {
      this.reset();
      let states: ReadonlyMap<string, BreakerState>;
      try {
        states = breakerSource();
      } catch {
        return; // a broken source must not break the scrape
      }
      for (const [tool, state] of states) {
        const value = BREAKER_VALUE[state];
        if (value !== undefined) this.set({ tool: bounded(tool) }, value);
      }
    },
  });
  let dependencySource: () => ReadonlyMap<string, boolean> = () => new Map();
  new Gauge({
    name: `${PREFIX}dependency_up`,
    help: "Shared servers this process uses (postgres, redis): 1 reachable, 0 unreachable (checks that need it answer 503 store_unavailable).",
    labelNames: ["dependency"],
    registers,
    // With workers: down when any worker finds it unreachable.
    aggregator: "min",
    collect() {
      this.reset();
      try {
        for (const [dependency, up] of dependencySource())
          this.set({ dependency: bounded(dependency) }, up ? 1 : 0);
      } catch {
        // a broken source must not break the scrape
      }
    },
  });
  const upstreamErrors = new Counter({
    name: `${PREFIX}upstream_errors_total`,
    help: "Failed upstream calls by tool and kind (timeout, connect, status, breaker_open, …).",
    labelNames: ["tool", "kind"],
    registers,
  });
  const upstreamRetries = new Counter({
    name: `${PREFIX}upstream_retries_total`,
    help: "Upstream call retries by tool.",
    labelNames: ["tool"],
    registers,
  });
  const tokensMinted = new Counter({
    name: `${PREFIX}tokens_minted_total`,
    help: "Tool tokens minted, by tool.",
    labelNames: withAgent(["tool"]),
    registers,
  });
  const budgetUsed = new Counter({
    name: `${PREFIX}budget_used`,
    help: "Budget use settled, by tool and unit (calls, tokens).",
    labelNames: withAgent(["tool", "unit"]),
    registers,
  });
  const signatureFailures = new Counter({
    name: `${PREFIX}signature_failures_total`,
    help: "Requests whose signature was refused, by problem code.",
    labelNames: ["code"],
    registers,
  });

  return {
    observeRequest(r) {
      const routeClass = ROUTE_CLASSES.has(r.routeClass) ? r.routeClass : "other";
      requests.inc({
        route_class: routeClass,
        tool: bounded(r.tool),
        action: bounded(r.action),
        status: statusLabel(r.status),
        code: bounded(r.code),
        ...agentLabel(r.agentId),
      });
      if (isDuration(r.seconds)) requestDuration.observe({ route_class: routeClass }, r.seconds);
    },
    observeStage(stage, seconds) {
      if (STAGES.has(stage) && isDuration(seconds)) stageDuration.observe({ stage }, seconds);
    },
    policyDecision(phase, allow) {
      policyDecisions.inc({ phase: phase === "token" ? "token" : "call", allow: allow ? "true" : "false" });
    },
    rateLimitHit(policy, agentId) {
      rateLimitHits.inc({ policy: bounded(policy), ...agentLabel(agentId) });
    },
    upstreamError(tool, kind) {
      upstreamErrors.inc({ tool: bounded(tool), kind: bounded(kind) });
    },
    upstreamRetry(tool) {
      upstreamRetries.inc({ tool: bounded(tool) });
    },
    tokenMinted(tool, agentId) {
      tokensMinted.inc({ tool: bounded(tool), ...agentLabel(agentId) });
    },
    budgetUsed(tool, unit, amount, agentId) {
      if (!Number.isFinite(amount) || amount <= 0) return;
      budgetUsed.inc({ tool: bounded(tool), unit: bounded(unit), ...agentLabel(agentId) }, amount);
    },
    signatureFailure(code) {
      signatureFailures.inc({ code: bounded(code) });
    },
    setDependencySource(source) {
      dependencySource = source;
    },
    setBreakerStateSource(source) {
      breakerSource = source;
    },
    registry,
    contentType: registry.contentType,
    render() {
      return registry.metrics();
    },
  };
}

/**
 * Label values are our own names (tools, actions, codes); anything else, such as a
 * path segment from an unknown route, collapses to "other" so it cannot grow the series count.
 */
function bounded(value: string | null | undefined, maxLength = 64): string {
  if (value === null || value === undefined || value === "") return "none";
  return value.length <= maxLength && /^[A-Za-z0-9_.:-]+$/.test(value) ? value : "other";
}

function statusLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : "other";
}

function isDuration(seconds: number): boolean {
  return Number.isFinite(seconds) && seconds >= 0;
}
