// README's pipeline drawings are the map a newcomer reads first: they must name the
// stages app.ts really mounts for a tool call and for an MCP request, in order, and only real error codes.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createApp } from "./app.js";
import { loadConfig } from "./config.js";
import { ERROR_TABLE } from "./errors.js";
import { createLogger } from "./log.js";
import { createServices, type Services } from "./services.js";
import { openSqliteStore } from "./store/sqlite/open.js";
import type { Store } from "./store/types.js";

let store: Store;
let services: Services;
let app: ReturnType<typeof createApp>;

before(async () => {
  const policyDir = mkdtempSync(join(tmpdir(), "agentgw-drawing-policy-"));
  writeFileSync(join(policyDir, "policy.rego"), 'package agentgw\n\ndecision := {"allow": false}\n');
  const config = loadConfig({
    argv: [],
    env: {
      AGENTGW_ADMIN_TOKEN: "drawing-test-admin-token",
      AGENTGW_POLICY: policyDir,
      AGENTGW_DATA_DIR: mkdtempSync(join(tmpdir(), "agentgw-drawing-")),
    },
  });
  store = openSqliteStore({ dataDir: ":memory:" });
  const logger = createLogger("silent");
  services = await createServices(config, store, logger);
  app = createApp({ config, store, logger, services });
});
after(async () => {
  await services.close();
  await store.close();
});

interface Layer {
  method?: string;
  handle: ((...args: unknown[]) => unknown) & { name: string };
  route?: { path: string; stack: Layer[] };
}

/**
 * The handlers app.ts mounts on a route, by function name, as a POST sees them (mounted for every method, or
 * for POST); error handlers (4 arguments) left out.
 */
function mountedStages(path: string): string[] {
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  const route = stack.find((layer) => layer.route?.path === path)?.route;
  assert.ok(route, `app.ts mounts ${path}`);
  return route.stack
    .filter((layer) => (layer.method === undefined || layer.method === "post") && layer.handle.length < 4)
    .map((layer) => layer.handle.name);
}

/** The drawings under "## The request pipeline", in order: the tool call's, then the MCP request's. */
function drawings(): string[] {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const start = readme.indexOf("## The request pipeline");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  return [...section.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** A drawing's stages: stage name → the codes on its line and continuation lines. */
function drawnStages(drawing: string | undefined): Array<{ stage: string; codes: string[] }> {
  assert.ok(drawing, "README has the pipeline drawing");
  const stages: Array<{ stage: string; codes: string[] }> = [];
  for (const line of drawing.split("\n")) {
    const stage = /▶\s+([a-zA-Z]+)/.exec(line)?.[1];
    if (stage) stages.push({ stage, codes: [] });
    // Codes: snake_case words after the failure arrow or on continuation lines (words in parentheses are prose).
    const failures = line.includes("──✗") ? line.slice(line.indexOf("──✗")) : stage ? "" : line;
    const codes = failures.replace(/\([^)]*\)?/g, "").match(/\b[a-z]+(?:_[a-z]+)+\b/g) ?? [];
    stages.at(-1)?.codes.push(...codes);
  }
  return stages;
}

const ROUTES = [
  { name: "a tool call", path: "/v1/tools/*rest", drawing: 0 },
  { name: "an MCP request", path: "/v1/mcp/:server", drawing: 1 },
];

for (const { name, path, drawing } of ROUTES) {
  test(`README's pipeline drawing names the stages app.ts mounts for ${name}, in order`, () => {
    assert.deepEqual(
      drawnStages(drawings()[drawing]).map((s) => s.stage),
      mountedStages(path),
    );
  });

  test(`every failure code in the drawing for ${name} is in the error table`, () => {
    const drawn = drawnStages(drawings()[drawing]);
    assert.ok(drawn.some((s) => s.codes.length > 0));
    for (const { stage, codes } of drawn) {
      for (const code of codes) assert.ok(code in ERROR_TABLE, `${stage}: ${code} is not in errors.ts`);
    }
  });
}
