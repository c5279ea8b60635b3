// Per-tool resilience on cockatiel: retry (outermost) → circuit breaker → timeout (each attempt).
//
// - Retries: an idempotent action is retried on transport failures and on 429/500/502/503/504; any action
//   (a POST too) is retried when the connection could not be made (nothing reached the upstream) and on
//   429/503 carrying a Retry-After no longer than `backoffMaxMs`. A longer Retry-After is not waited for: the
//   upstream answer (with its Retry-After) goes back to the agent. Backoff is exponential with full jitter.
// - Breaker: `breakerThreshold` consecutive failed attempts (transport failures, or statuses `isFailure`
//   counts) open it; while open every call fails fast with upstream_unavailable (503, Retry-After); after
//   `breakerHalfOpenAfterMs` one probe goes through and its outcome closes or re-opens it.
// - Timeout: each attempt gets `timeoutMs` for its answer (the head for streams, the whole body otherwise).
//   Not cockatiel's timeout policy: a timer and derived abort signals per attempt cost more than the rest of
//   the forward stage's own work, so every attempt of a tool shares one deadline queue (deadlines.ts).
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  DelegateBackoff,
  handleWhen,
  type IPolicy,
  type IRetryBackoffContext,
  IsolatedCircuitError,
  retry,
  wrap,
} from "cockatiel";
import { GatewayError } from "../errors.js";
import { createDeadlines } from "./deadlines.js";
import type { RawHeaders } from "./headers.js";
import { UpstreamFailure } from "./upstream-client.js";

export interface ResilienceOptions {
  timeoutMs: number;
  retries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
}

export type BreakerState = "closed" | "open" | "half-open";

/** Hooks for metrics and logs; all optional, none may throw. */
export interface ResilienceHooks {
  onRetry?(info: { tool: string; attempt: number; delayMs: number; reason: string }): void;
  onBreakerStateChange?(info: { tool: string; state: BreakerState }): void;
  /** A failed attempt (transport failure or a failure status), whether or not it is retried. */
  onUpstreamFailure?(info: { tool: string; reason: string }): void;
}

/** What resilience needs to see of an attempt's answer. */
export interface AttemptResult {
  status: number;
  headers: RawHeaders;
}

export interface ExecuteOptions {
  idempotent: boolean;
  /** The agent's signal: when it aborts, no more attempts are made. */
  signal: AbortSignal;
}

export interface Resilience {
  /**
   * Runs `attempt` under retry, breaker and timeout; the attempt's signal aborts on timeout or when the
   * agent leaves (`options.signal`).
   */
  execute<T extends AttemptResult>(
    attempt: (signal: AbortSignal) => Promise<T>,
    options: ExecuteOptions,
  ): Promise<T>;
  breakerState(): BreakerState;
}

export interface CreateResilienceOptions extends ResilienceOptions {
  tool: string;
  hooks?: ResilienceHooks;
  /** Which upstream statuses count against the breaker (default: 500 and above). */
  isFailureStatus?: (status: number) => boolean;
  /** Random number in [0, 1) for jitter (tests make it deterministic). */
  random?: () => number;
}

const IDEMPOTENT_RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const RETRY_AFTER_STATUSES = new Set([429, 503]);

/** Retry-After (RFC 9110 §10.2.3) in milliseconds: delay-seconds or an HTTP date; undefined when absent or bad. */
export function retryAfterMs(headers: RawHeaders, now = Date.now()): number | undefined {
  const raw = Object.entries(headers).find(([name]) => name.toLowerCase() === "retry-after")?.[1];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.toString().trim();
  if (value === undefined || value === "") return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function check(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}`);
}

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.HalfOpen]: "half-open",
  [CircuitState.Open]: "open",
  [CircuitState.Isolated]: "open",
};

export function createResilience(options: CreateResilienceOptions): Resilience {
  check("timeoutMs", options.timeoutMs, 1);
  check("retries", options.retries, 0);
  check("backoffBaseMs", options.backoffBaseMs, 1);
  check("backoffMaxMs", options.backoffMaxMs, options.backoffBaseMs);
  check("breakerThreshold", options.breakerThreshold, 1);
  check("breakerHalfOpenAfterMs", options.breakerHalfOpenAfterMs, 1);
  const { tool, hooks = {} } = options;
  const isFailureStatus = options.isFailureStatus ?? ((status: number) => status >= 500);
  const random = options.random ?? Math.random;

  const isTransportFailure = (error: unknown): boolean =>
    error instanceof UpstreamFailure && error.phase !== "cancelled";

  /** A Retry-After short enough to wait for, in ms; undefined when absent or too long. */
  const waitableRetryAfter = (result: AttemptResult): number | undefined => {
    if (!RETRY_AFTER_STATUSES.has(result.status)) return undefined;
    const wait = retryAfterMs(result.headers);
    return wait !== undefined && wait <= options.backoffMaxMs ? wait : undefined;
  };

  const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>>((context) => {
    const wait =
      "value" in context.result ? waitableRetryAfter(context.result.value as AttemptResult) : undefined;
    if (wait !== undefined) return wait;
    const ceiling = Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** (context.attempt - 1));
    return Math.floor(random() * ceiling);
  });

  const retryPolicy = (idempotent: boolean) => {
    const handler = handleWhen(
      (error) => isTransportFailure(error) && (idempotent || (error as UpstreamFailure).phase === "connect"),
    ).orWhenResult((value) => {
      const result = value as AttemptResult;
      // With a Retry-After the upstream said when: wait for it if that is soon enough, else give up.
      if (RETRY_AFTER_STATUSES.has(result.status) && retryAfterMs(result.headers) !== undefined) {
        return waitableRetryAfter(result) !== undefined;
      }
      return idempotent && IDEMPOTENT_RETRY_STATUSES.has(result.status);
    });
    const policy = retry(handler, { maxAttempts: options.retries, backoff });
    policy.onRetry((event) => {
      const reason =
        "error" in event
          ? ((event.error as GatewayError).code ?? "error")
          : `status ${(event.value as AttemptResult).status}`;
      hooks.onRetry?.({ tool, attempt: event.attempt, delayMs: event.delay, reason });
    });
    return policy;
  };

  const breaker = circuitBreaker(
    handleWhen(isTransportFailure).orWhenResult((value) => isFailureStatus((value as AttemptResult).status)),
    {
      halfOpenAfter: options.breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    },
  );
  breaker.onStateChange((state) => hooks.onBreakerStateChange?.({ tool, state: STATE_NAMES[state] }));
  breaker.onFailure((event) => {
    const reason =
      "error" in event.reason
        ? ((event.reason.error as GatewayError).code ?? "error")
        : `status ${(event.reason.value as AttemptResult).status}`;
    hooks.onUpstreamFailure?.({ tool, reason });
  });

  const policies: Record<"idempotent" | "other", IPolicy> = {
    idempotent: wrap(retryPolicy(true), breaker),
    other: wrap(retryPolicy(false), breaker),
  };
  const deadlines = createDeadlines(options.timeoutMs);

  /**
   * One attempt with its own signal, aborted when its deadline passes or the agent leaves. An attempt that
   * returns in time (a stream's head included) keeps flowing: its deadline is cleared, not its signal.
   */
  async function timedAttempt<T>(
    attempt: (signal: AbortSignal) => Promise<T>,
    client: AbortSignal,
  ): Promise<T> {
    // The agent has gone: no more attempts (a cancelled failure is neither retried nor counted by the breaker).
    if (client.aborted)
      throw new UpstreamFailure("upstream_error", "the request was cancelled by the client", "cancelled");
    const controller = new AbortController();
    const onClientAbort = () => controller.abort(client.reason);
    client.addEventListener("abort", onClientAbort, { once: true });
    const deadline = deadlines.start(controller);
    try {
      return await attempt(controller.signal);
    } catch (error) {
      // A failed attempt is over; a successful one may still be streaming, so it stays tied to the agent.
      client.removeEventListener("abort", onClientAbort);
      throw error;
    } finally {
      deadline.clear();
    }
  }

  /** Seconds until the open breaker lets a probe through (cockatiel keeps openedAt in its snapshot). */
  const secondsUntilProbe = (): number => {
    const snapshot = breaker.toJSON() as { ownState?: { openedAt?: number } };
    const openedAt = snapshot.ownState?.openedAt ?? Date.now();
    return Math.max(1, Math.ceil((openedAt + options.breakerHalfOpenAfterMs - Date.now()) / 1000));
  };

  return {
    async execute(attempt, { idempotent, signal }) {
      const policy = idempotent ? policies.idempotent : policies.other;
      try {
        // No signal for cockatiel: timedAttempt checks the agent's before every attempt.
        return (await policy.execute(() => timedAttempt(attempt, signal))) as Awaited<
          ReturnType<typeof attempt>
        >;
      } catch (error) {
        if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
          throw new GatewayError(
            "upstream_unavailable",
            `the ${tool} upstream is failing; calls are paused for a moment`,
            { headers: { "retry-after": String(secondsUntilProbe()) } },
          );
        }
        throw error;
      }
    },
    breakerState() {
      return STATE_NAMES[breaker.state];
    },
  };
}
