import { z } from "zod";
import type { AuditLog } from "../audit/audit-log.js";
import { GatewayError } from "../errors.js";
import { defineRoute, type Route } from "../http/route.js";
import type { PolicyEngine } from "../policy/policy-engine.js";

const statusSchema = z.object({ revision: z.string(), loadedAt: z.string(), source: z.string() });

export function policyAdminRoutes({
  policy,
  audit,
}: {
  policy: Pick<PolicyEngine, "status" | "reload">;
  audit: AuditLog;
}): Route[] {
  return [
    defineRoute({
      method: "get",
      path: "/admin/policy",
      operationId: "getPolicy",
      summary: "The policy in force: revision, when it was loaded, and from where",
      tag: "admin",
      auth: "admin",
      responses: { 200: { description: "Policy status", schema: statusSchema } },
      async handle() {
        const status = policy.status();
        if (!status) throw new GatewayError("not_ready", "no policy is loaded yet");
        return {
          status: 200,
          body: { revision: status.revision, loadedAt: status.loadedAt, source: status.source },
        };
      },
    }),
    defineRoute({
      method: "post",
      path: "/admin/policy/reload",
      operationId: "reloadPolicy",
      summary: "Compile and load the policy source now; a bad policy is refused (422) and the old one stays",
      tag: "admin",
      auth: "admin",
      responses: {
        200: { description: "Loaded", schema: z.object({ revision: z.string() }) },
        422: { description: "Refused, with the compile errors" },
      },
      async handle({ res }) {
        try {
          const { revision } = await policy.reload();
          await audit.record(res, {
            actor: "admin",
            action: "policy.reloaded",
            target: revision,
            details: { ok: true },
          });
          return { status: 200, body: { revision } };
        } catch (error) {
          if (error instanceof GatewayError && error.code === "policy_invalid") {
            await audit.record(res, {
              actor: "admin",
              action: "policy.reloaded",
              details: { ok: false, detail: error.detail },
            });
          }
          throw error;
        }
      },
    }),
  ];
}
