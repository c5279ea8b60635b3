// Writes the gateway's OpenAPI 3.1 document (the one GET /openapi.json serves) to a file, without
// starting the gateway: the route factories only describe their routes here, so every dependency
// they take is an inert stand-in that throws if anything touched it.
//   node --import tsx gateway/scripts/emit-openapi.ts [out.json]   (default sdk-js/openapi.json)
import { writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { agentRoutes } from "../src/admin/agents.js";
import { policyAdminRoutes } from "../src/admin/policy.js";
import { recordRoutes } from "../src/admin/records.js";
import { tokenAdminRoutes } from "../src/admin/tokens.js";
import { VERSION } from "../src/app.js";
import { buildOpenApi } from "../src/http/openapi.js";
import { agentApiRoutes } from "../src/routes/agent-api.js";
import { healthRoutes } from "../src/routes/health.js";
import { toolCallRouteSpec } from "../src/routes/tool-call-spec.js";

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

/** The same route list, in the same order, as createApp in gateway/src/app.ts. */
export function buildDocument() {
  const routes = [
    ...healthRoutes(inertDeps("health")),
    ...agentRoutes(inertDeps("agents")),
    ...tokenAdminRoutes(inertDeps("tokenAdmin")),
    ...policyAdminRoutes(inertDeps("policyAdmin")),
    ...recordRoutes(inertDeps("records")),
    ...agentApiRoutes(inertDeps("agentApi")),
  ];
  return hoistSchemaDefs(
    buildOpenApi([...routes, toolCallRouteSpec], { version: VERSION, serverUrl: SERVER_URL }),
  );
}

type Json = null | boolean | number | string | Json[] | { [member: string]: Json };

/**
 * zod's toJSONSchema gives every named schema (`.meta({id})`) as `$defs` inside the one schema it
 * converted, with `$ref: "#/$defs/Name"`. Inside an OpenAPI document such a reference points at
 * the document root, where there is no `$defs`, so no tool can resolve it. This moves every
 * definition to `components.schemas` (once; the same name with other content is an error) and
 * points the references there. Without `$defs` in the input it changes nothing.
 */
export function hoistSchemaDefs<T extends object>(document: T): T {
  const schemas: Record<string, Json> = {};
  const visit = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== "object") return node;
    const out: Record<string, Json> = {};
    for (const [member, value] of Object.entries(node)) {
      if (member === "$schema") continue; // the document's dialect already says 2020-12
      if (member === "$defs" && value !== null && typeof value === "object" && !Array.isArray(value)) {
        for (const [name, definition] of Object.entries(value)) {
          const hoisted = visit(definition);
          const seen = schemas[name];
          if (seen !== undefined && JSON.stringify(seen) !== JSON.stringify(hoisted)) {
            throw new Error(`two different schemas are named ${name}; give one another meta id`);
          }
          schemas[name] = hoisted;
        }
        continue;
      }
      out[member] =
        member === "$ref" && typeof value === "string" && value.startsWith("#/$defs/")
          ? `#/components/schemas/${value.slice("#/$defs/".length)}`
          : visit(value);
    }
    return out;
  };
  const result = visit(document as unknown as Json) as Record<string, Json> & {
    components?: Record<string, Json>;
  };
  if (Object.keys(schemas).length > 0) {
    const existing = (result.components?.schemas ?? {}) as Record<string, Json>;
    result.components = { ...result.components, schemas: { ...existing, ...sortedByName(schemas) } };
  }
  return result as unknown as T;
}

function sortedByName(record: Record<string, Json>): Record<string, Json> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
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
