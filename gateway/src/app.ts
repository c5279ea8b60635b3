// createApp(deps) builds the HTTP application and never listens: main.ts wires
// config, store and policy and listens; tests call it in-process.
import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";
import type { Logger } from "pino";
import { agentRoutes } from "./admin/agents.js";
import { createAuditLog } from "./audit/audit-log.js";
import type { Config } from "./config.js";
import { requireAdmin } from "./http/bearer-auth.js";
import { buildOpenApi } from "./http/openapi.js";
import { notFound, problemHandler } from "./http/problem.js";
import { readRawBody } from "./http/raw-body.js";
import { requestContext } from "./http/request-context.js";
import { expressPath, type Route, type RouteAuth, runRoute } from "./http/route.js";
import { healthRoutes } from "./routes/health.js";
import type { Store } from "./store/types.js";

export const VERSION = "0.1.0";

export interface AppDeps {
  config: Config;
  store: Store;
  logger: Logger;
  /** Unix seconds; injected so tests control time. */
  nowSeconds?: () => number;
}

export function createApp(deps: AppDeps) {
  const { config, store, logger } = deps;
  const nowSeconds = deps.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const audit = createAuditLog(store.audit, logger);

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);
  app.set("etag", false);
  // Express 5's simple parser: no nested objects from ?a[b]=c.
  app.set("query parser", "simple");

  const routes: Route[] = [
    ...healthRoutes({ store, ready: async () => ({}) }),
    ...agentRoutes({ store, audit, nowSeconds }),
  ];
  const openapi = buildOpenApi(routes, { version: VERSION, serverUrl: config.publicUrl });

  const guards: Record<RouteAuth, RequestHandler[]> = {
    none: [],
    admin: [requireAdmin(config.adminToken)],
    signed: [],
    metrics: [],
  };

  app.use(requestContext());
  app.use(accessLog(logger));
  app.use(readRawBody(config.bodyLimitBytes));
  app.get("/openapi.json", (_req, res) => {
    res.json(openapi);
  });
  for (const route of routes) {
    app[route.method](
      expressPath(route.path),
      ...guards[route.auth],
      (req: Request, res: Response, next: NextFunction) => {
        runRoute(route, req, res).catch(next);
      },
    );
  }
  app.use(notFound());
  app.use(problemHandler(logger));
  return app;
}

/** One line per request; headers are never logged (they carry credentials). */
function accessLog(logger: Logger): RequestHandler {
  return function logRequest(req, res, next) {
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - res.locals.startedAt) / 1e6;
      logger.info(
        {
          requestId: res.locals.requestId,
          traceId: res.locals.trace.traceId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
        },
        "request",
      );
    });
    next();
  };
}
