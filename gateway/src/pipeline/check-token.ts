// Tool calls: a valid tool token for this tool, bound to the signing key, whose
// scopes cover the action.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { GatewayError } from "../errors.js";
import { timeStage } from "../http/locals.js";
import { requireScopes } from "../tokens/require-scopes.js";
import type { ToolTokenVerifier } from "../tokens/verify-token.js";

export function createCheckToken(tokens: ToolTokenVerifier): RequestHandler {
  return async function checkToken(req: Request, res: Response, next: NextFunction) {
    const startedAt = process.hrtime.bigint();
    try {
      const match = /^Bearer +(\S+)\s*$/i.exec(req.get("authorization") ?? "");
      if (!match)
        throw new GatewayError(
          "token_missing",
          "send Authorization: Bearer <tool token> (from POST /v1/tokens)",
        );
      const { tool, action } = res.locals.toolCall!;
      const agent = res.locals.agent!;
      const token = await tokens.verify(match[1]!, {
        tool: tool.name,
        kid: res.locals.signature!.kid,
        agentId: agent.id,
      });
      requireScopes(token.scopes, [action.scope], "the token");
      // The agent's scopes are its ceiling now, not when the token was minted: a PATCH that
      // narrows them applies to tokens already out.
      requireScopes(agent.scopes, [action.scope], `agent ${agent.id}`);
      res.locals.token = token;
      next();
    } catch (error) {
      next(error);
    } finally {
      timeStage(res.locals, "token", startedAt);
    }
  };
}
