// The two ways a command fails, each with its exit code (0 is success):
//   1  the gateway (or the policy tests) refused: what it said is printed
//   2  the command line is wrong: unknown command or flag, a missing variable or file, bad JSON
import type { Problem } from "@agentgw/sdk";

export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

/** The user must change the command line or the environment; the message says how. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly exitCode = EXIT_USAGE;
}

/** The gateway answered but said no (or could not be reached); `problem` is its answer. */
export class RefusedError extends Error {
  override readonly name = "RefusedError";
  readonly exitCode = EXIT_REFUSED;
  constructor(
    readonly status: number | null,
    readonly problem: Problem,
  ) {
    super(describeProblem(status, problem));
  }
}

/** The failure was already shown to the user (e.g. a tool's own error answer): only exit 1. */
export class ReportedFailure extends Error {
  override readonly name = "ReportedFailure";
  readonly exitCode = EXIT_REFUSED;
}

export function describeProblem(status: number | null, problem: Problem): string {
  const code = typeof problem.code === "string" ? problem.code : status === null ? "unreachable" : "error";
  const said = problem.detail ?? problem.title ?? (status === null ? "" : `HTTP ${status}`);
  return `${code}${status === null ? "" : ` (${status})`}: ${said}`;
}
