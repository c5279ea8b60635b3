// The signature names a key: find its agent and refuse suspended ones.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { GatewayError } from "../errors.js";
import type { AgentStore } from "../store/types.js";

export function createResolveAgent(agents: Pick<AgentStore, "findByKid">): RequestHandler {
  return async function resolveAgent(_req: Request, res: Response, next: NextFunction) {
    try {
      const found = await agents.findByKid(res.locals.signature!.kid);
      // The key may have been revoked between verification and now: same answer as an unknown key.
      if (found?.key.status !== "active") throw new GatewayError("unknown_key", "keyid is not an active key");
      if (found.agent.status !== "active")
        throw new GatewayError("agent_suspended", "this agent is suspended");
      res.locals.agent = found.agent;
      res.locals.agentKey = found.key;
      next();
    } catch (error) {
      next(error);
    }
  };
}
