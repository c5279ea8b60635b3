// GET /v1/approvals/{id}: an agent reads its own approvals, to wait for a person's decision.
import type { Response } from "express";
import type { Approvals } from "../approvals/approvals.js";
import { GatewayError } from "../errors.js";
import { defineRoute, type Route } from "../http/route.js";
import { approvalIdParams, approvalSchema } from "../schemas/approval.js";

export function agentApprovalRoutes(deps: { approvals: Approvals }): Route[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/approvals/{id}",
      operationId: "getOwnApproval",
      summary: "One of the calling agent's approvals (poll it to wait for a decision)",
      tag: "agent",
      auth: "signed",
      params: approvalIdParams,
      responses: { 200: { description: "The approval", schema: approvalSchema } },
      async handle({ params, res }: { params: { id: string }; res: Response }) {
        const approval = await deps.approvals.get(params.id);
        // Another agent's approval is reported exactly like a missing one.
        if (!approval || approval.agentId !== res.locals.agent!.id) {
          throw new GatewayError("not_found", `no approval ${params.id}`);
        }
        return { status: 200, body: deps.approvals.view(approval) };
      },
    }),
  ];
}
