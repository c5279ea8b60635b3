// GET /metrics in Prometheus text format, bearer-protected when a token is
// configured (config.metrics.bearerToken); the token is compared in constant time.
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { GatewayError } from "../errors.js";
import { createBearerCheck } from "../http/bearer-auth.js";
import type { Metrics } from "./metrics.js";

export interface MetricsHandlerOptions {
  metrics: Metrics;
  bearerToken?: string | undefined;
}

export function metricsHandler({ metrics, bearerToken }: MetricsHandlerOptions): RequestHandler {
  if (!metrics || typeof metrics.render !== "function") {
    throw new TypeError("metricsHandler: options.metrics must be a Metrics instance");
  }
  if (bearerToken !== undefined && bearerToken.length < 16) {
    throw new RangeError("metricsHandler: bearerToken must be at least 16 characters");
  }
  const matches = bearerToken === undefined ? null : createBearerCheck(bearerToken);

  return async function serveMetrics(req: Request, res: Response, next: NextFunction) {
    if (matches && !matches(req.get("authorization"))) {
      next(
        new GatewayError("unauthorized", "send Authorization: Bearer <metrics token>", {
          headers: { "WWW-Authenticate": 'Bearer realm="agentgw-metrics"' },
        }),
      );
      return;
    }
    try {
      const body = await metrics.render();
      res.setHeader("Content-Type", metrics.contentType);
      res.setHeader("Cache-Control", "no-store");
      res.status(200).send(body);
    } catch (error) {
      next(error);
    }
  };
}
