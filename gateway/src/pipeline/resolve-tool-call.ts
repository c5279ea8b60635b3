// Tool calls: the tool from the path and the action from method + path.
// Unknown tools and unknown routes of a tool are refused, never passed through.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { GatewayError } from "../errors.js";
import { findTool, resolveAction } from "../tools/catalog.js";

// No "#" anywhere: refuseFragment turned such targets away, and the query forwarded must be
// exactly the one the signature verified.
const TOOL_PREFIX = /^\/v1\/tools\/([^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?$/;

export function createResolveToolCall(): RequestHandler {
  return function resolveToolCall(req: Request, res: Response, next: NextFunction) {
    const match = TOOL_PREFIX.exec(req.originalUrl);
    const toolName = match?.[1] ?? "";
    const tool = findTool(toolName);
    if (!tool)
      return next(new GatewayError("unknown_tool", `no tool named ${JSON.stringify(toolName.slice(0, 64))}`));
    const path = match?.[2] ?? "/";
    const action = resolveAction(tool, req.method, path);
    if (!action) {
      return next(
        new GatewayError(
          "unknown_tool",
          `${tool.name} has no action for ${req.method} ${path.slice(0, 200)}`,
        ),
      );
    }
    res.locals.toolCall = { tool, action, path, query: match?.[3] ?? "" };
    next();
  };
}
