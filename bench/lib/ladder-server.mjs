// One rung of the ladder: the gateway's own app (createApp, wired as main.ts wires it)
// with the stages above the rung swapped for stand-ins that hand the next stage what it
// needs at no cost, so each rung adds real stages to the one below and nothing else.
// Rung 0 is the bare pass-through: express, the raw-body reader and the gateway's own
// forward stage (its connector and undici pool), no gateway app around it.
// Input: one JSON argument; prints {"port"} on stdout once listening.
import { once } from "node:events";
import express from "express";
import { pino } from "pino";
import { RUNGS } from "./rungs.mjs";

const spec = JSON.parse(process.argv[2]);
const dist = new URL("../../gateway/dist/", import.meta.url);
const load = (path) => import(new URL(path, dist).href);
const { createApp } = await load("app.js");
const { loadConfig } = await load("config.js");
const { createLogger } = await load("log.js");
const { createServices } = await load("services.js");
const { openStore } = await load("store/open.js");
const { withReadCaches } = await load("cache/cached-store.js");
const { createLocalInvalidationBus } = await load("cache/invalidation.js");
const { readRawBody } = await load("http/raw-body.js");
const { requestHeadersForUpstream } = await load("forward/headers.js");
const { findTool, resolveAction } = await load("tools/catalog.js");
const { createForward } = await load("pipeline/forward-call.js");
const { createSettle } = await load("pipeline/settle.js");

const config = loadConfig({ argv: ["--config", spec.configFile], env: spec.env });
// The log goes where main.js's goes in the bench (stdout ignored, i.e. /dev/null), through the same
// asynchronous destination: a pipe the bench parent drains line by line would charge its backlog
// (sonic-boom's EAGAIN retries) to the rungs and not to the gateway, and stdout carries the ready line.
const logger = createLogger(config.log.level, pino.destination({ dest: "/dev/null", sync: false }));
const store = withReadCaches(
  await openStore({ dataDir: config.dataDir, databaseUrl: config.database.url }),
  createLocalInvalidationBus(),
);
const services = await createServices(config, store, logger);

const tool = findTool("openai");
const action = resolveAction(tool, "POST", "/v1/chat/completions");
const connector = services.connectors.get("openai");
const allow = Object.freeze({ allow: true, reasons: [], obligations: {} });
const agent = Object.freeze({
  id: "agt_bench",
  name: "bench",
  status: "active",
  scopes: ["openai:chat"],
  tier: "default",
  metadata: {},
  keys: [],
});

/** What a skipped stage would have left in res.locals. */
const standIns = {
  requestContextMiddleware(_req, res, next) {
    res.locals.requestId = "req_bench";
    res.locals.trace = {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      flags: "01",
    };
    res.locals.startedAt = 0n;
    res.locals.rawBody = null;
    next();
  },
  refuseFragmentInTarget: (_req, _res, next) => next(),
  logRequest: (_req, _res, next) => next(),
  observeRequest: (_req, _res, next) => next(),
  precheckSignature: (_req, _res, next) => next(),
  verifySignature(_req, res, next) {
    res.locals.signature = { kid: spec.kid };
    next();
  },
  resolveAgent(_req, res, next) {
    res.locals.agent = agent;
    next();
  },
  limitAgent: (_req, _res, next) => next(),
  resolveToolCall(_req, res, next) {
    res.locals.toolCall = { tool, action, path: "/v1/chat/completions", query: "" };
    next();
  },
  checkToken(_req, res, next) {
    res.locals.token = { claims: { jti: "bench" }, scopes: ["openai:chat"], signingKid: "bench" };
    next();
  },
  authorize(req, res, next) {
    const raw = res.locals.rawBody;
    res.locals.connector = connector;
    res.locals.call = {
      tool,
      action,
      method: req.method,
      path: "/v1/chat/completions",
      query: "",
      headers: requestHeadersForUpstream(req.headers),
      body: raw,
      json: raw ? JSON.parse(raw.toString("utf8")) : null,
      agentId: res.locals.agent.id,
    };
    res.locals.decision = allow;
    next();
  },
  limit: (_req, _res, next) => next(),
  reserveBudget: (_req, _res, next) => next(),
};

let app;
if (spec.rung === 0) {
  const bare = standIns;
  app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(bare.requestContextMiddleware, readRawBody(config.bodyLimitBytes));
  app.all(
    "/v1/tools/*rest",
    bare.verifySignature,
    bare.resolveAgent,
    bare.resolveToolCall,
    bare.checkToken,
    bare.authorize,
    createForward(),
    ...createSettle(services.budgets),
  );
} else {
  app = createApp({ config, store, logger, services });
  const real = new Set(RUNGS.slice(0, spec.rung + 1).flatMap((rung) => rung.adds));
  const replace = (layer) => {
    const name = layer.handle?.name;
    if (name && name in standIns && !real.has(name)) layer.handle = standIns[name];
  };
  // App-wide plumbing, and the tool-call route's stages; every other route (the token route the load
  // process enrols through) keeps its real stages.
  for (const layer of app.router.stack) {
    if (!layer.route) replace(layer);
    else if (layer.route.path === "/v1/tools/*rest") for (const inner of layer.route.stack) replace(inner);
  }
}

const server = app.listen(spec.port, "127.0.0.1");
await once(server, "listening");
server.keepAliveTimeout = 60_000;
process.stdout.write(`${JSON.stringify({ benchReady: { port: server.address().port } })}\n`);
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void services.close().then(() => store.close().then(() => process.exit(0)));
});
