// The admin side of approvals: list, read, approve, deny. Who decided is the
// admin identity the request authenticated as (res.locals.adminActor).
import type { Approvals } from "../approvals/approvals.js";
import { GatewayError } from "../errors.js";
import { defineRoute, type Route } from "../http/route.js";
import {
  approvalIdParams,
  approvalPageSchema,
  approvalSchema,
  decideApprovalBody,
  listApprovalsQuery,
} from "../schemas/approval.js";

export function approvalAdminRoutes({ approvals }: { approvals: Approvals }): Route[] {
  const decideRoute = (status: "approved" | "denied", verb: "approve" | "deny") =>
    defineRoute({
      method: "post",
      path: `/admin/approvals/{id}/${verb}`,
      operationId: `${verb}Approval`,
      summary:
        verb === "approve"
          ? "Approve a pending approval: the same request then goes through once (token phase: during its window)"
          : "Deny a pending approval: the same request is refused with approval_denied",
      tag: "admin",
      auth: "admin",
      params: approvalIdParams,
      body: decideApprovalBody,
      responses: {
        200: { description: "The decided approval", schema: approvalSchema },
        409: { description: "The approval is no longer pending" },
      },
      async handle({ params, body, res }) {
        const decided = await approvals.decide(res, params.id, {
          status,
          decidedBy: res.locals.adminActor ?? "admin",
          note: body.note || null,
        });
        return { status: 200, body: approvals.view(decided) };
      },
    });

  return [
    defineRoute({
      method: "get",
      path: "/admin/approvals",
      operationId: "listApprovals",
      summary: "Approvals, newest first; ?status=pending for the ones waiting on a person",
      tag: "admin",
      auth: "admin",
      query: listApprovalsQuery,
      responses: { 200: { description: "A page of approvals", schema: approvalPageSchema } },
      async handle({ query }) {
        const page = await approvals.list({
          limit: query.limit,
          ...(query.status ? { status: query.status } : {}),
          ...(query.agentId ? { agentId: query.agentId } : {}),
          ...(query.cursor ? { cursor: query.cursor } : {}),
        });
        return { status: 200, body: { items: page.items.map(approvals.view), nextCursor: page.nextCursor } };
      },
    }),
    defineRoute({
      method: "get",
      path: "/admin/approvals/{id}",
      operationId: "getApproval",
      summary: "One approval",
      tag: "admin",
      auth: "admin",
      params: approvalIdParams,
      responses: { 200: { description: "The approval", schema: approvalSchema } },
      async handle({ params }) {
        const approval = await approvals.get(params.id);
        if (!approval) throw new GatewayError("not_found", `no approval ${params.id}`);
        return { status: 200, body: approvals.view(approval) };
      },
    }),
    decideRoute("approved", "approve"),
    decideRoute("denied", "deny"),
  ];
}
