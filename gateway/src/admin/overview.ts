// GET /admin/overview: the console's first page — key counters since start, their recent
// history, and how many approvals wait for a person.
import { z } from "zod";
import { defineRoute, type Route } from "../http/route.js";
import type { MetricsHistory } from "../metrics/history.js";
import type { ApprovalStore } from "../store/types.js";

const totals = z.object({
  requests: z.number(),
  denials: z.number(),
  rateLimited: z.number(),
  upstreamErrors: z.number(),
  budgetUsed: z.number(),
});

const overviewSchema = z
  .object({
    totals,
    samples: z.array(totals.extend({ time: z.string() })),
    intervalSeconds: z.number(),
    pendingApprovals: z.number().int(),
  })
  .meta({ id: "Overview" });

export function overviewRoutes(deps: {
  history: MetricsHistory;
  approvals: Pick<ApprovalStore, "list">;
  nowMs: () => number;
}): Route[] {
  return [
    defineRoute({
      method: "get",
      path: "/admin/overview",
      operationId: "getOverview",
      summary:
        "Requests, policy denials, rate-limit refusals, upstream errors and budget use since start (this process), with a sample per interval",
      tag: "admin",
      auth: "admin",
      responses: { 200: { description: "The overview", schema: overviewSchema } },
      async handle() {
        const snapshot = await deps.history.snapshot();
        const pending = await deps.approvals.list({ status: "pending", limit: 200 });
        // Lapsed ones are still "pending" in the store until the next sweep marks them.
        const now = deps.nowMs();
        const waiting = pending.items.filter((a) => Date.parse(a.expiresAt) > now).length;
        return { status: 200, body: { ...snapshot, pendingApprovals: waiting } };
      },
    }),
  ];
}
