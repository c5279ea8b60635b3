import { z } from "zod";
import { ERROR_TABLE } from "../errors.js";
import { hoistSchemaDefs } from "./openapi-refs.js";
import type { Route } from "./route.js";

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(Object.keys(ERROR_TABLE) as [keyof typeof ERROR_TABLE, ...Array<keyof typeof ERROR_TABLE>]),
    requestId: z.string(),
    reasons: z.array(z.string()).optional(),
    errors: z
      .array(z.object({ field: z.string().optional(), message: z.string() }).loose())
      .optional()
      .meta({ description: "invalid_request: each invalid field; policy_invalid: each compile error" }),
    missingScopes: z.array(z.string()).optional().meta({ description: "scope_missing: the scopes lacking" }),
    checks: z
      .record(z.string(), z.boolean())
      .optional()
      .meta({ description: "not_ready: which readiness check failed" }),
  })
  // RFC 9457 §3.2: a problem type may add members (e.g. the OpenAI-shaped `error` on that tool's routes).
  .loose()
  .meta({ id: "Problem", description: "RFC 9457 problem details" });

const SECURITY: Record<string, Array<Record<string, string[]>>> = {
  admin: [{ adminToken: [] }],
  signed: [{ httpSignature: [] }],
  metrics: [{ metricsToken: [] }],
  none: [],
};

function jsonSchema(schema: z.ZodType, io: "input" | "output") {
  return z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" });
}

/** OpenAPI 3.1 of every mounted route, built from the same schemas that validate requests. */
export function buildOpenApi(routes: readonly Route[], info: { version: string; serverUrl: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ["path", route.params],
      ["query", route.query],
    ] as const) {
      if (!schema) continue;
      const shape = jsonSchema(schema, "input") as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      for (const [name, property] of Object.entries(shape.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === "path" || (shape.required ?? []).includes(name),
          schema: property,
        });
      }
    }
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.schema
          ? {
              content: {
                [spec.contentType ?? "application/json"]: { schema: jsonSchema(spec.schema, "output") },
              },
            }
          : {}),
      };
    }
    const problem = { "application/problem+json": { schema: jsonSchema(problemSchema, "output") } };
    responses.default = route.forwardsUpstream
      ? {
          description:
            "Error: the gateway's RFC 9457 problem details, or the upstream's own error answer, forwarded as it came",
          content: { ...problem, "*/*": {} },
        }
      : { description: "Error (RFC 9457 problem details)", content: problem };
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      security: SECURITY[route.auth],
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: jsonSchema(route.body, "input") } },
            },
          }
        : {}),
      responses,
    };
  }
  return hoistSchemaDefs({
    openapi: "3.1.0",
    info: {
      title: "Agent Gateway",
      version: info.version,
      description: "Security gateway that lets AI agents use outside tools without holding their secrets.",
    },
    servers: [{ url: info.serverUrl }],
    components: {
      securitySchemes: {
        adminToken: { type: "http", scheme: "bearer", description: "AGENTGW_ADMIN_TOKEN" },
        metricsToken: {
          type: "http",
          scheme: "bearer",
          description:
            "AGENTGW_METRICS_TOKEN (metrics.bearerToken); when unset, the admin token; dev mode: open",
        },
        httpSignature: {
          type: "apiKey",
          in: "header",
          name: "Signature",
          description:
            "RFC 9421 HTTP Message Signature (Ed25519) with Signature-Input; see the README's signature profile",
        },
      },
    },
    paths,
  });
}
