// createApp(deps) builds the HTTP application and never listens: main.ts wires
// config, store and services and listens; tests call it in-process.
//
// A tool call's stages are mounted below in request order, one module each in
// pipeline/, and README.md draws the same chain (a test holds them together).
import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";
import type { Logger } from "pino";
import { createAuditLog } from "./audit/audit-log.js";
import { createDecisionRecorder } from "./audit/decision-recorder.js";
import type { Config } from "./config.js";
import { createConsoleRouter } from "./console/console-routes.js";
import { createConsoleSessions } from "./console/sessions.js";
import type { GatewayError } from "./errors.js";
import { accessLog } from "./http/access-log.js";
import { requireAdmin } from "./http/bearer-auth.js";
import { createCors } from "./http/cors.js";
import { allowedMethodsByPath, methodNotAllowed } from "./http/method-not-allowed.js";
import { buildOpenApi } from "./http/openapi.js";
import { notFound, problemHandler } from "./http/problem.js";
import { readRawBody } from "./http/raw-body.js";
import { requestContext } from "./http/request-context.js";
import { refuseFragment } from "./http/request-target.js";
import { expressPath, type RouteAuth, runRoute } from "./http/route.js";
import { createUploadSlots } from "./http/upload-slots.js";
import { mcpToolSpec } from "./mcp/mcp-tool-spec.js";
import { metricsHandler } from "./metrics/metrics-handler.js";
import { observeRequests } from "./metrics/observe-requests.js";
import { createAnswerMcpRefusal } from "./pipeline/answer-mcp-refusal.js";
import { type AuthorizeDeps, createAuthorize } from "./pipeline/authorize.js";
import { createAuthorizeMcp } from "./pipeline/authorize-mcp.js";
import { createCheckMcpPin } from "./pipeline/check-mcp-pin.js";
import { createCheckToken } from "./pipeline/check-token.js";
import { createForward } from "./pipeline/forward-call.js";
import { createForwardMcp } from "./pipeline/forward-mcp.js";
import { createLimit, createLimitAgent } from "./pipeline/limit.js";
import { onlyToolCalls } from "./pipeline/only-tool-calls.js";
import { createReserveBudget } from "./pipeline/reserve-budget.js";
import { createResolveAgent } from "./pipeline/resolve-agent.js";
import { createResolveMcpCall } from "./pipeline/resolve-mcp-call.js";
import { createResolveToolCall } from "./pipeline/resolve-tool-call.js";
import { createSettle } from "./pipeline/settle.js";
import { createPrecheckSignature, createVerifySignature } from "./pipeline/verify-signature.js";
import { DESCRIBED_ONLY_ROUTES, gatewayRoutes } from "./routes/index.js";
import type { Services } from "./services.js";
import type { Store } from "./store/types.js";

export const VERSION = "0.1.0";

export interface AppDeps {
  config: Config;
  store: Store;
  logger: Logger;
  services: Services;
  /** Clock in milliseconds; injected so tests control time. */
  now?: () => number;
}

export function createApp(deps: AppDeps) {
  const { config, store, logger, services } = deps;
  const now = deps.now ?? Date.now;
  const nowSeconds = () => Math.floor(now() / 1000);
  const audit = createAuditLog(services.records, logger, () => new Date(now()));
  const recorder = createDecisionRecorder({
    records: services.records,
    maxBodyBytes: config.decisionLog.maxBodyBytes,
    policyRevision: () => services.policy.status()?.revision ?? null,
    now: () => new Date(now()),
  });
  const { metrics } = services;
  const authorizeDeps: AuthorizeDeps = {
    policy: services.policy,
    recorder,
    nowMs: now,
    onDecision: (phase, allow) => metrics.policyDecision(phase, allow),
    budgetsFor: (agent) => services.budgets.usageFor(agent),
    approvals: services.approvals,
  };

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);
  app.set("etag", false);
  // Express 5's simple parser: no nested objects from ?a[b]=c.
  app.set("query parser", "simple");

  const routes = gatewayRoutes({
    health: { store, ready: () => services.readiness() },
    agents: { store, audit, nowSeconds },
    tokenAdmin: { revoker: services.revoker, keyRing: services.keyRing, agents: store.agents, audit },
    policyAdmin: { policy: services.policy, audit },
    records: { decisions: store.decisions, audit: store.audit, checkpoints: services.auditCheckpoints },
    credentials: { credentials: services.credentials, audit },
    discovery: { issuer: config.publicUrl },
    approvals: { approvals: services.approvals },
    overview: { history: services.metricsHistory, approvals: store.approvals, nowMs: now },
    mcpServers: { servers: services.mcp.servers, pins: services.mcp.pins, audit },
    agentApi: {
      ...authorizeDeps,
      policy: services.policy,
      keyRing: services.keyRing,
      tokenStore: store.tokens,
      agents: store.agents,
      connectors: services.connectors,
      issuer: config.publicUrl,
      maxTtlSeconds: config.tokens.maxTtlSeconds,
      onTokenMinted: (tool) => metrics.tokenMinted(tool),
      mcpTool: async (name) => {
        const server = name.startsWith("mcp.") ? await services.mcp.servers.get(name.slice(4)) : undefined;
        return server ? mcpToolSpec(server.name) : undefined;
      },
    },
  });
  const openapi = buildOpenApi([...routes, ...DESCRIBED_ONLY_ROUTES], {
    version: VERSION,
    serverUrl: config.publicUrl,
  });

  // Bodies are read only after the cheap credential checks (admin bearer; a well-formed
  // signature naming an active key), and only so many at once: strangers cannot pin memory.
  const uploads = createUploadSlots({
    max: config.uploads.maxConcurrent,
    maxPerCaller: config.uploads.maxPerCaller,
  });
  const readBody = readRawBody(config.bodyLimitBytes, {
    slots: uploads,
    callerOf: (req, res) => (res.locals.prechecked ? `key:${res.locals.prechecked.kid}` : `ip:${req.ip}`),
  });
  const signatureDeps = {
    verifier: services.signatureVerifier,
    // Failed proofs cost the caller's address quota, so key and nonce guessing is throttled.
    onFailure: async (ip: string, error: GatewayError) => {
      metrics.signatureFailure(error.code);
      await services.rateLimits.checkUnauthenticatedIp(ip);
    },
  };
  const consoleSessions = config.console.enabled
    ? createConsoleSessions({
        adminToken: config.adminToken,
        secure: new URL(config.publicUrl).protocol === "https:",
        ttlSeconds: config.console.sessionTtlSeconds,
        signOuts: store.consoleSignOuts,
      })
    : undefined;
  const signed: RequestHandler[] = [
    createPrecheckSignature(signatureDeps),
    readBody,
    createVerifySignature(signatureDeps),
    createResolveAgent(store.agents),
    createLimitAgent(services.rateLimits),
  ];
  const guards: Record<RouteAuth, RequestHandler[]> = {
    none: [],
    admin: [requireAdmin(config.adminToken, consoleSessions, now), readBody],
    signed,
    metrics: [],
  };

  app.use(requestContext());
  app.use(createCors(config.cors));
  app.use(accessLog(logger));
  app.use(observeRequests(metrics));
  // After the log and metrics, so a refused target is still counted and logged.
  app.use(refuseFragment());
  if (consoleSessions) {
    app.use(
      createConsoleRouter({
        adminToken: config.adminToken,
        sessions: consoleSessions,
        nowMs: now,
        readBody,
        onFailedSignIn: (ip) => services.rateLimits.checkUnauthenticatedIp(ip),
      }),
    );
  }
  app.get("/openapi.json", (_req, res) => {
    res.json(openapi);
  });
  app.get(
    "/metrics",
    metricsHandler({
      metrics,
      // Outside dev mode /metrics is never open: its own token, else the admin token.
      ...(metricsToken(config) ? { bearerToken: metricsToken(config) } : {}),
    }),
  );
  for (const route of routes) {
    app[route.method](
      expressPath(route.path),
      ...guards[route.auth],
      // An unauthenticated route that takes a body (a sign-in form) reads it, bounded like the rest.
      ...(route.auth === "none" && route.body ? [readBody] : []),
      (req: Request, res: Response, next: NextFunction) => {
        runRoute(route, req, res).catch(next);
      },
    );
  }
  // route().all(): one layer per stage. app.all() would add every stage once per HTTP method
  // (35 × 13 layers), and each request would walk past the other methods' copies.
  app.route("/v1/tools/*rest").all(
    ...signed, // precheckSignature → readBody → verifySignature → resolveAgent → limitAgent
    createResolveToolCall(),
    createCheckToken(services.tokenVerifier),
    createAuthorize({ ...authorizeDeps, connectors: services.connectors }),
    createLimit(services.rateLimits, services.concurrency),
    createReserveBudget(services.budgets),
    createForward(),
    ...createSettle(services.budgets),
  );
  app.route("/v1/mcp/:server").all(
    ...signed, // precheckSignature → readBody → verifySignature → resolveAgent → limitAgent
    createResolveMcpCall(services.mcp.servers, services.mcp.sessions),
    createCheckToken(services.tokenVerifier),
    createCheckMcpPin(services.mcp.servers, services.mcp.pins),
    createAuthorizeMcp(authorizeDeps),
    onlyToolCalls(createLimit(services.rateLimits, services.concurrency)),
    onlyToolCalls(createReserveBudget(services.budgets)),
    createForwardMcp(services.mcp),
    ...createSettle(services.budgets),
    createAnswerMcpRefusal(),
  );
  // A known path asked with a method it does not serve: 405 with Allow, not 404.
  const served = [
    ...routes,
    { method: "get" as const, path: "/openapi.json" },
    { method: "get" as const, path: "/metrics" },
  ];
  for (const [path, allow] of allowedMethodsByPath(served))
    app.route(expressPath(path)).all(methodNotAllowed(allow));
  app.use(notFound());
  app.use(problemHandler(logger));
  return app;
}

function metricsToken(config: Config): string | undefined {
  return config.metrics.bearerToken ?? (config.dev ? undefined : config.adminToken);
}
