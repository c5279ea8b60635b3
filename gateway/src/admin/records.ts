// Read access to what the gateway recorded: decisions and the audit trail.
import { z } from "zod";
import type { AuditCheckpoints } from "../audit/audit-checkpoints.js";
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
    phase: z.enum(["token", "call", "list"]),
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

export interface RecordRouteDeps {
  decisions: DecisionStore;
  audit: AuditStore;
  checkpoints: Pick<AuditCheckpoints, "verify" | "export">;
}

const badLinkSchema = z.object({ seq: z.number().int(), reason: z.string() });

export function recordRoutes({ decisions, audit, checkpoints }: RecordRouteDeps): Route[] {
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
        phase: z.enum(["token", "call", "list"]).optional(),
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
      summary:
        "Check the audit trail's hash chain and its signed checkpoints; names the first record that does not match",
      tag: "admin",
      auth: "admin",
      responses: {
        200: {
          description: "Verification result: ok only when the chain and every signed checkpoint agree",
          schema: z.object({
            ok: z.boolean(),
            checked: z.number().int(),
            firstBad: badLinkSchema.optional(),
            checkpoints: z.object({
              ok: z.boolean(),
              checked: z.number().int(),
              latestSeq: z.number().int().nullable(),
              firstBad: badLinkSchema.optional(),
            }),
          }),
        },
      },
      async handle() {
        const chain = await audit.verify();
        const signed = await checkpoints.verify();
        const firstBad = chain.firstBad ?? signed.firstBad;
        return {
          status: 200,
          body: {
            ...chain,
            ok: chain.ok && signed.ok,
            ...(firstBad ? { firstBad } : {}),
            checkpoints: signed,
          },
        };
      },
    }),
    defineRoute({
      method: "get",
      path: "/admin/audit/checkpoints",
      operationId: "exportAuditCheckpoints",
      summary:
        "Signed checkpoints of the audit chain's head and the public key that verifies them (for outside verifiers)",
      tag: "admin",
      auth: "admin",
      responses: {
        200: {
          description: "The checkpoint public key (OKP JWK) and every checkpoint, oldest first",
          schema: z.object({
            publicKey: z.object({
              kty: z.literal("OKP"),
              crv: z.literal("Ed25519"),
              x: z.string(),
              kid: z.string(),
            }),
            checkpoints: z.array(
              z.object({
                seq: z.number().int(),
                hash: z.string(),
                time: z.string(),
                kid: z.string(),
                signature: z.string(),
              }),
            ),
          }),
        },
      },
      async handle() {
        return { status: 200, body: checkpoints.export() };
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
