import { z } from "zod";
import { cursorSchema, limitSchema } from "./agent.js";

export const approvalStatusSchema = z.enum(["pending", "approved", "denied", "expired"]);

export const approvalSchema = z
  .object({
    id: z.string(),
    status: approvalStatusSchema,
    agentId: z.string(),
    kid: z.string(),
    phase: z.enum(["token", "call"]),
    tool: z.string(),
    action: z.string().nullable(),
    scopes: z.array(z.string()),
    intent: z.string().nullable(),
    reason: z.string(),
    request: z.object({ method: z.string(), path: z.string(), bodyPreview: z.string().nullable() }),
    createdAt: z.string(),
    expiresAt: z.string().meta({
      description: "Pending: when it lapses. Decided: the end of the window the decision holds for.",
    }),
    decidedAt: z.string().nullable(),
    decidedBy: z.string().nullable(),
    note: z.string().nullable(),
    usedAt: z
      .string()
      .nullable()
      .meta({ description: "Call phase: when the one request it allows went through." }),
  })
  .meta({ id: "Approval" });

export const approvalPageSchema = z.object({
  items: z.array(approvalSchema),
  nextCursor: z.string().nullable(),
});

export const approvalIdParams = z.strictObject({
  id: z.string().regex(/^apr_[0-9A-Z]{26}$/, "not an approval id"),
});

export const listApprovalsQuery = z.strictObject({
  status: approvalStatusSchema.optional(),
  agentId: z.string().max(64).optional(),
  limit: limitSchema,
  cursor: cursorSchema,
});

export const decideApprovalBody = z.strictObject({
  note: z.string().trim().max(2000).optional(),
});
