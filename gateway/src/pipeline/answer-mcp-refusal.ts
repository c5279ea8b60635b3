// MCP: a refused request is answered as the JSON-RPC error of that request (HTTP 200), carrying the
// gateway's code, because every MCP client shows an error response's message while some drop the body of
// an HTTP error (the Python client does). Mounted last on the MCP route, after settle has given back any
// budget hold. Transport-level failures (signature, token, unknown session) stay HTTP errors: clients act
// on their status (re-authenticate, re-initialize).
import type { ErrorRequestHandler, NextFunction, Request, Response } from "express";
import { GatewayError } from "../errors.js";
import { requestIdOf } from "../mcp/mcp-request.js";

/** JSON-RPC error code of a request the gateway refused (in the range JSON-RPC leaves to servers). */
export const MCP_REFUSED_CODE = -32001;

const REFUSALS = new Set([
  "policy_denied",
  "approval_required",
  "approval_denied",
  "rate_limited",
  "budget_exceeded",
  "tool_changed",
]);

export function createAnswerMcpRefusal(): ErrorRequestHandler {
  return function answerMcpRefusal(error: unknown, _req: Request, res: Response, next: NextFunction) {
    const id = requestIdOf(res.locals.mcp);
    if (!(error instanceof GatewayError) || id === undefined || res.headersSent) return next(error);
    const { jsonRpcCode, ...extensions } = error.extensions;
    if (!REFUSALS.has(error.code) && typeof jsonRpcCode !== "number") return next(error);
    // Retry-After keeps its meaning: the header on the answer, and the seconds in data.retryAfter.
    const retryAfter = error.headers["Retry-After"];
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    res.status(200).json({
      jsonrpc: "2.0",
      id,
      error: {
        code: typeof jsonRpcCode === "number" ? jsonRpcCode : MCP_REFUSED_CODE,
        message: `${error.code}: ${error.detail}`,
        // The problem document the gateway answers elsewhere, so agents can act on code and reasons.
        data: {
          ...extensions,
          code: error.code,
          status: error.status,
          detail: error.detail,
          requestId: res.locals.requestId,
          ...(retryAfter === undefined ? {} : { retryAfter: Number(retryAfter) }),
        },
      },
    });
  };
}
