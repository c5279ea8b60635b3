// Writes the gateway's OpenAPI 3.1 document (the one GET /openapi.json serves) to a file, without
// starting the gateway: the route factories only describe their routes here, so every dependency
// they take is an inert stand-in that throws if anything touched it.
//   node --import tsx gateway/scripts/emit-openapi.ts [out.json]   (default sdk-js/openapi.json)
import { writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { VERSION } from "../src/app.js";
import { buildOpenApi } from "../src/http/openapi.js";
import { DESCRIBED_ONLY_ROUTES, gatewayRoutes } from "../src/routes/index.js";

/** The server URL written into the document: the gateway's default public URL (CONTRACT.md §8). */
const SERVER_URL = "http://localhost:8080";

/** A dependency nobody may use: touching any member throws. */
function inert(name: string): never {
  return new Proxy(
    {},
    {
      get(_target, member) {
        throw new Error(`${name}.${String(member)} is not available while emitting the OpenAPI document`);
      },
    },
  ) as never;
}

/** A factory's options whose every member is inert, so new dependencies need no change here. */
function inertDeps<T>(name: string): T {
  return new Proxy({}, { get: (_target, member) => inert(`${name}.${String(member)}`) }) as T;
}

/** The same route list createApp mounts (gatewayRoutes), described with inert dependencies. */
export function buildDocument() {
  // gatewayRoutes takes one options object per route group; each group's members are inert.
  const groups = new Proxy({}, { get: (_target, group) => inertDeps(String(group)) });
  const routes = gatewayRoutes(groups as Parameters<typeof gatewayRoutes>[0]);
  return buildOpenApi([...routes, ...DESCRIBED_ONLY_ROUTES], { version: VERSION, serverUrl: SERVER_URL });
}

/** Stable text: two-space JSON and a final newline, so regenerating an unchanged API changes nothing. */
export function renderDocument(): string {
  return `${JSON.stringify(buildDocument(), null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(
    process.argv[2] ?? resolve(dirname(fileURLToPath(import.meta.url)), "../../sdk-js/openapi.json"),
  );
  writeFileSync(out, renderDocument());
  process.stdout.write(`wrote ${out}\n`);
}
