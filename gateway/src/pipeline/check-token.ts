// Stage 4 (tool calls): a valid tool token for this tool, bound to the signing key.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { GatewayError } from "../errors.js";
import type { ToolTokenVerifier } from "../tokens/verify-token.js";
import { timeStage } from "./locals.js";

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
      res.locals.token = await tokens.verify(match[1]!, {
        tool: res.locals.toolCall!.tool.name,
        kid: res.locals.signature!.kid,
        agentId: res.locals.agent!.id,
      });
      next();
    } catch (error) {
      next(error);
    } finally {
      timeStage(res.locals, "token", startedAt);
    }
  };
}
