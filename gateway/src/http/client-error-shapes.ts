// Some tools' official clients read their own error member and ignore problem+json's: the OpenAI
// clients show `error.message` (the 6.x JS client says "no body" without it). On those tools' routes the
// problem gains that member beside its own, so the client shows the gateway's reason and code.
import type { Problem } from "../errors.js";

/** OpenAI's error object: {message, type, param, code}. */
function openAiError(problem: Problem) {
  return {
    message: problem.detail,
    type: openAiType(problem.status),
    param: null,
    code: problem.code,
  };
}

function openAiType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 409) return "conflict_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/** The problem, with the tool's own error member added when `path` is one of that tool's routes. */
export function withClientErrorShape(path: string, problem: Problem): Problem {
  if (/^\/v1\/tools\/openai(\/|$)/.test(path)) return { ...problem, error: openAiError(problem) };
  return problem;
}
