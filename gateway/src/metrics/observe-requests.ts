// One metrics observation per response (mounted before the routes), with the
// route class, tool, action, status, outcome code and per-stage latencies.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { RouteClass } from "../http/locals.js";
import type { Metrics } from "./metrics.js";

export function routeClassOf(path: string): RouteClass {
  if (path.startsWith("/admin/")) return "admin";
  if (path.startsWith("/v1/tools/")) return "tool";
  if (path === "/v1/tokens") return "token";
  if (path.startsWith("/v1/")) return "agent";
  return "ops";
}

export function observeRequests(metrics: Metrics): RequestHandler {
  return function observeRequest(req: Request, res: Response, next: NextFunction) {
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - res.locals.startedAt) / 1e9;
      const call = res.locals.toolCall;
      metrics.observeRequest({
        routeClass: routeClassOf(req.path),
        tool: call?.tool.name ?? null,
        action: call?.action.name ?? null,
        status: res.statusCode,
        code: res.locals.problemCode ?? "ok",
        seconds,
        agentId: res.locals.agent?.id ?? null,
      });
      for (const [stage, stageSeconds] of Object.entries(res.locals.stageSeconds ?? {})) {
        metrics.observeStage(stage as "signature" | "token" | "policy" | "upstream", stageSeconds);
      }
      metrics.observeStage("total", seconds);
    });
    next();
  };
}
