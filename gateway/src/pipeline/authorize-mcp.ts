// MCP requests: tools/call is decided by the policy like any tool call (tool `mcp.{name}`, action the MCP
// tool's name, request.body its arguments; recorded). Lists are filtered: each tool, resource and prompt is
// shown only if the policy, asked with phase "list", would allow it to this agent (not recorded: a list
// asks once per item). Other MCP messages (initialize, notifications, pings) need only the token.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { buildPolicyInput } from "../policy/build-input.js";
import { type AuthorizeDeps, askPolicy } from "./authorize.js";

export function createAuthorizeMcp(deps: AuthorizeDeps): RequestHandler {
  return async function authorizeMcp(req: Request, res: Response, next: NextFunction) {
    try {
      const mcp = res.locals.mcp!;
      const { tool } = res.locals.toolCall!;
      const token = res.locals.token!;
      const common = {
        tool: tool.name,
        scopes: [...token.scopes],
        intent: token.claims.intent ?? null,
        path: "/",
        query: "",
      };
      if (mcp.method === "tools/call") {
        await askPolicy(req, res, deps, {
          ...common,
          phase: "call",
          action: mcp.toolName,
          body: mcp.arguments,
        });
      }
      mcp.listAllows = (kind, name) => {
        const input = buildPolicyInput(
          req,
          res,
          { ...common, phase: "call", action: name, body: { kind, name } },
          deps.nowMs(),
        );
        return deps.policy.decide({ ...input, phase: "list" }).allow;
      };
      next();
    } catch (error) {
      next(error);
    }
  };
}
