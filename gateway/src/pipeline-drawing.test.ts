// README's pipeline drawing is the map a newcomer reads first: it must name the
// stages app.ts really mounts for a tool call, in order, and only real error codes.
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
 * The handlers app.ts mounts for tool calls, by function name, as a POST sees them (mounted for every method, or
 * for POST); error handlers (4 arguments) left out.
 */
function mountedToolCallStages(): string[] {
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  const route = stack.find((layer) => layer.route?.path === "/v1/tools/*rest")?.route;
  assert.ok(route, "app.ts mounts /v1/tools/*rest");
  return route.stack
    .filter((layer) => (layer.method === undefined || layer.method === "post") && layer.handle.length < 4)
    .map((layer) => layer.handle.name);
}

/** The drawing under "## The request pipeline": stage name → the codes on its line and continuation lines. */
function drawnStages(): Array<{ stage: string; codes: string[] }> {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## The request pipeline"));
  const drawing = /```\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(drawing, "README has a pipeline drawing");
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

test("README's pipeline drawing names the stages app.ts mounts for a tool call, in order", () => {
  assert.deepEqual(
    drawnStages().map((s) => s.stage),
    mountedToolCallStages(),
  );
});

test("every failure code in the drawing is in the error table", () => {
  const drawn = drawnStages();
  assert.ok(drawn.some((s) => s.codes.length > 0));
  for (const { stage, codes } of drawn) {
    for (const code of codes) assert.ok(code in ERROR_TABLE, `${stage}: ${code} is not in errors.ts`);
  }
});
