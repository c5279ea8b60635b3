// The tool-call stages after the token, in order: build the call → ask the
// policy with the parsed request → limit and reserve budget → forward → settle.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { ToolConnector } from "../tools/types.js";
import { type AuthorizeDeps, authorize, requireScopes } from "./authorize.js";
import { buildToolCall, connectorFor, forwardCall } from "./forward.js";
import type { CallBudgets, CallLimiter } from "./rate-limit.js";

export interface ToolCallDeps extends AuthorizeDeps {
  connectors: ReadonlyMap<string, ToolConnector>;
  limiter: CallLimiter;
  budgets: CallBudgets;
}

export function createToolCallHandler(deps: ToolCallDeps): RequestHandler {
  return async function handleToolCall(req: Request, res: Response, next: NextFunction) {
    try {
      const { tool, action, path, query } = res.locals.toolCall!;
      const token = res.locals.token!;
      requireScopes(token.scopes, [action.scope], "the token");
      // The agent's scopes are its ceiling now, not when the token was minted: a PATCH that
      // narrows them applies to tokens already out.
      requireScopes(res.locals.agent!.scopes, [action.scope], `agent ${res.locals.agent!.id}`);
      const connector = connectorFor(deps.connectors, tool.name);
      const call = buildToolCall(req, res);

      const decision = await authorize(req, res, deps, {
        phase: "call",
        tool: tool.name,
        action: action.name,
        scopes: [...token.scopes],
        intent: token.claims.intent ?? null,
        path,
        query,
        body: connector.policyBody(call),
      });

      const rateHeaders = await deps.limiter.take(
        res.locals.agent!,
        tool.name,
        decision.obligations.rate_limit,
      );
      for (const [name, value] of Object.entries(rateHeaders)) res.setHeader(name, value);
      const hold = await deps.budgets.reserve(res.locals.agent!, tool.name, action.name, call.json);

      let settled = false;
      try {
        const answer = await forwardCall(connector, call, res, decision.obligations);
        const usage = await answer.usage?.catch(() => undefined);
        await hold.settle({
          ok: answer.status < 400,
          ...(usage?.tokens === undefined ? {} : { tokens: usage.tokens }),
        });
        settled = true;
      } finally {
        if (!settled) await hold.settle({ ok: false });
      }
    } catch (error) {
      next(error);
    }
  };
}
