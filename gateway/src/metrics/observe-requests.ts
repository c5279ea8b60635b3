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
  // One shared listener (no closure per request); `this` is the finished response.
  function observeFinished(this: Response): void {
    const { locals } = this;
    const seconds = Number(process.hrtime.bigint() - locals.startedAt) / 1e9;
    const call = locals.toolCall;
    metrics.observeRequest({
      routeClass: routeClassOf(this.req.path),
      tool: call?.tool.name ?? null,
      action: call?.action.name ?? null,
      status: this.statusCode,
      code: locals.problemCode ?? "ok",
      seconds,
      agentId: locals.agent?.id ?? null,
    });
    const stages = locals.stageSeconds;
    if (stages) {
      for (const stage in stages) {
        metrics.observeStage(stage as keyof typeof stages, stages[stage as keyof typeof stages]!);
      }
    }
    metrics.observeStage("total", seconds);
  }
  return function observeRequest(_req: Request, res: Response, next: NextFunction) {
    res.on("finish", observeFinished);
    next();
  };
}
