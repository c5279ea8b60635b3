// Read access to what the gateway recorded: decisions and the audit trail.
import { z } from "zod";
import { defineRoute, type Route } from "../http/route.js";
import { limitSchema, seqCursorSchema } from "../schemas/agent.js";
import type { AuditStore, DecisionStore } from "../store/types.js";

const decisionSchema = z
  .object({
    decisionId: z.string(),
    time: z.string(),
    requestId: z.string(),
    traceId: z.string().nullable(),
    agentId: z.string().nullable(),
    kid: z.string().nullable(),
    tool: z.string().nullable(),
    action: z.string().nullable(),
    phase: z.enum(["token", "call"]),
    allow: z.boolean(),
    reasons: z.array(z.string()),
    obligations: z.record(z.string(), z.unknown()),
    policyRevision: z.string().nullable(),
    durationMs: z.number(),
    input: z.unknown(),
  })
  .meta({ id: "Decision" });

const auditRecordSchema = z
  .object({
    seq: z.number().int(),
    time: z.string(),
    actor: z.string(),
    action: z.string(),
    target: z.string().nullable(),
    requestId: z.string().nullable(),
    traceId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: "AuditRecord" });

export function recordRoutes({ decisions, audit }: { decisions: DecisionStore; audit: AuditStore }): Route[] {
  return [
    defineRoute({
      method: "get",
      path: "/admin/decisions",
      operationId: "listDecisions",
      summary: "Policy decisions, newest first",
      tag: "admin",
      auth: "admin",
      query: z.strictObject({
        agentId: z.string().max(64).optional(),
        tool: z.string().max(64).optional(),
        allow: z
          .enum(["true", "false"])
          .transform((v) => v === "true")
          .optional(),
        phase: z.enum(["token", "call"]).optional(),
        limit: limitSchema,
        cursor: seqCursorSchema,
      }),
      responses: {
        200: {
          description: "Decisions",
          schema: z.object({ items: z.array(decisionSchema), nextCursor: z.string().nullable() }),
        },
      },
      async handle({ query }) {
        return { status: 200, body: await decisions.list(withoutUndefined(query)) };
      },
    }),
    defineRoute({
      method: "get",
      path: "/admin/audit",
      operationId: "listAudit",
      summary: "The audit trail, newest first",
      tag: "admin",
      auth: "admin",
      query: z.strictObject({
        action: z.string().max(64).optional(),
        limit: limitSchema,
        cursor: seqCursorSchema,
      }),
      responses: {
        200: {
          description: "Audit records",
          schema: z.object({ items: z.array(auditRecordSchema), nextCursor: z.string().nullable() }),
        },
      },
      async handle({ query }) {
        return { status: 200, body: await audit.list(withoutUndefined(query)) };
      },
    }),
    defineRoute({
      method: "get",
      path: "/admin/audit/verify",
      operationId: "verifyAudit",
      summary: "Check the audit trail's hash chain; names the first record that does not match",
      tag: "admin",
      auth: "admin",
      responses: {
        200: {
          description: "Verification result",
          schema: z.object({
            ok: z.boolean(),
            checked: z.number().int(),
            firstBad: z.object({ seq: z.number().int(), reason: z.string() }).optional(),
          }),
        },
      },
      async handle() {
        return { status: 200, body: await audit.verify() };
      },
    }),
  ];
}

function withoutUndefined<T extends Record<string, unknown>>(
  value: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
