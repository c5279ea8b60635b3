// MCP requests: tools/call is decided by the policy like any tool call (tool `mcp.{name}`, action the MCP
// tool's name, request.body its arguments; recorded). Lists are filtered: each tool, resource and prompt is
// shown only if the policy, asked with phase "list", would allow it to this agent (not recorded: a list
// asks once per item). Other MCP messages (initialize, notifications, pings) need only the token.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { GatewayError } from "../errors.js";
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
        try {
          await askPolicy(req, res, deps, {
            ...common,
            phase: "call",
            action: mcp.toolName,
            body: mcp.arguments,
          });
        } catch (error) {
          // A refused call is the answer to this JSON-RPC request: every MCP client shows an error response's
          // message, while some drop the body of an HTTP error (the Python client does).
          const id = mcp.message && "id" in mcp.message ? mcp.message.id : undefined;
          if (error instanceof GatewayError && REFUSALS_AS_MCP_ERRORS.has(error.code) && id !== undefined)
            return void res.status(200).json(mcpErrorFor(id, error));
          throw error;
        }
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

/** JSON-RPC error code of a tools/call the gateway refused (in the range JSON-RPC leaves to servers). */
export const MCP_REFUSED_CODE = -32001;

const REFUSALS_AS_MCP_ERRORS = new Set(["policy_denied", "approval_required", "approval_denied"]);

function mcpErrorFor(id: string | number, error: GatewayError) {
  return {
    jsonrpc: "2.0" as const,
    id,
    error: {
      code: MCP_REFUSED_CODE,
      message: `${error.code}: ${error.message}`,
      // The problem document the gateway answers elsewhere, so agents can act on code and reasons.
      data: { code: error.code, status: error.status, detail: error.message, ...error.extensions },
    },
  };
}
