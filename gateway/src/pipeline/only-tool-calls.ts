// MCP: the per-call stages (limit, reserveBudget) apply to tools/call only. Session set-up, lists,
// notifications and the server's event stream are not calls: they count against the agent's own quota
// (limitAgent) but not against the tool's quota, its calls in flight or its budgets.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { isToolCall } from "../mcp/mcp-request.js";

export function onlyToolCalls(stage: RequestHandler): RequestHandler {
  const name = stage.name;
  const wrapped = (req: Request, res: Response, next: NextFunction) =>
    isToolCall(res.locals.mcp) ? stage(req, res, next) : next();
  Object.defineProperty(wrapped, "name", { value: name });
  return wrapped;
}
