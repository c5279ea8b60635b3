import { z } from "zod";
import { GatewayError } from "../errors.js";
import { defineRoute, type Route } from "../http/route.js";
import type { Store } from "../store/types.js";

export interface HealthDeps {
  store: Store;
  /** Extra readiness checks by name (e.g. "policy"); false means not ready. */
  ready: () => Promise<Record<string, boolean>>;
}

const readySchema = z.object({ ready: z.boolean(), checks: z.record(z.string(), z.boolean()) });

export function healthRoutes({ store, ready }: HealthDeps): Route[] {
  return [
    defineRoute({
      method: "get",
      path: "/healthz",
      operationId: "healthz",
      summary: "Liveness: the process answers",
      tag: "operations",
      auth: "none",
      responses: { 200: { description: "Alive", schema: z.object({ status: z.literal("ok") }) } },
      async handle() {
        return { status: 200, body: { status: "ok" } };
      },
    }),
    defineRoute({
      method: "get",
      path: "/readyz",
      operationId: "readyz",
      summary: "Readiness: store open and policy loaded",
      tag: "operations",
      auth: "none",
      responses: {
        200: { description: "Ready", schema: readySchema },
        503: { description: "Not ready", schema: readySchema },
      },
      async handle() {
        const checks = { store: await store.ping().catch(() => false), ...(await ready()) };
        const ok = Object.values(checks).every(Boolean);
        if (!ok) {
          throw new GatewayError(
            "not_ready",
            `not ready: ${Object.entries(checks)
              .filter(([, v]) => !v)
              .map(([k]) => k)
              .join(", ")}`,
            { extensions: { checks } },
          );
        }
        return { status: 200, body: { ready: true, checks } };
      },
    }),
  ];
}
