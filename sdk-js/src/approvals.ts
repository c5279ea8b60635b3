// Waiting for a person's decision on an approval (GET /v1/approvals/{id}, polled
// with a gentle backoff) until it is approved, denied, expired, timed out or aborted.
import type { Approval } from "./api-types.js";
import { ApprovalDeniedError, ApprovalWaitError } from "./errors.js";

export interface WaitForApprovalOptions {
  /** Give up after this long (default 15 minutes, the gateway's default approval lifetime). */
  timeoutMs?: number;
  /** First poll interval; grows by half each poll up to maxPollIntervalMs. Default 1 s. */
  pollIntervalMs?: number;
  /** Default 10 s. */
  maxPollIntervalMs?: number;
  signal?: AbortSignal;
}

/** Automatic waiting for tool calls: wait for an approval, then send the same request again. */
export type WaitForApprovals = Omit<WaitForApprovalOptions, "signal">;

export function assertWaitOptions(value: WaitForApprovalOptions | false | undefined, name: string): void {
  if (value === undefined || value === false) return;
  for (const field of ["timeoutMs", "pollIntervalMs", "maxPollIntervalMs"] as const) {
    const v = value[field];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
      throw new RangeError(`${name}.${field} must be a finite number of milliseconds ≥ 0`);
    }
  }
}

/** Resolves to the approved approval; throws ApprovalDeniedError, ApprovalWaitError, or the abort reason. */
export async function waitForApproval(
  read: (id: string, signal?: AbortSignal) => Promise<Approval>,
  id: string,
  options: WaitForApprovalOptions = {},
): Promise<Approval> {
  if (typeof id !== "string" || !/^apr_[0-9A-Z]{26}$/.test(id)) {
    throw new TypeError(`not an approval id: ${JSON.stringify(id)}`);
  }
  assertWaitOptions(options, "options");
  const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
  const maxInterval = options.maxPollIntervalMs ?? 10_000;
  let interval = Math.min(options.pollIntervalMs ?? 1_000, maxInterval);
  for (;;) {
    options.signal?.throwIfAborted();
    const approval = await read(id, options.signal);
    if (approval.status === "approved") return approval;
    if (approval.status === "denied") {
      throw new ApprovalDeniedError(403, {
        title: "Approval denied",
        detail: `approval ${id} was denied${approval.note ? `: ${approval.note}` : ""}`,
        approvalId: id,
        note: approval.note,
        decidedBy: approval.decidedBy,
      });
    }
    if (approval.status === "expired") throw new ApprovalWaitError(id, "expired");
    const left = deadline - Date.now();
    if (left <= 0) throw new ApprovalWaitError(id, "timeout");
    await sleep(Math.min(interval, left), options.signal);
    interval = Math.min(interval * 1.5, maxInterval);
  }
}

export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
