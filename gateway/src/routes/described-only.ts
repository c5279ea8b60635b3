// Endpoints mounted by hand (not through runRoute), described here so the OpenAPI
// document covers every endpoint the gateway serves.
import type { Route } from "../http/route.js";

const notMounted = async () => undefined;

export const DESCRIBED_ONLY_ROUTES: readonly Route[] = [
  {
    method: "post",
    path: "/v1/tools/{tool}/{path}",
    operationId: "callTool",
    summary:
      "Call a tool through the gateway: the path after the tool mirrors the tool's own REST API (any method). Needs Authorization: Bearer <tool token>, covered by the signature.",
    tag: "tools",
    auth: "signed",
    responses: { 200: { description: "The tool's own response, forwarded (SSE streams pass through)" } },
    handle: notMounted,
  },
  {
    method: "get",
    path: "/metrics",
    operationId: "metrics",
    summary: "Prometheus metrics (text exposition format), every series prefixed agentgw_",
    tag: "operations",
    auth: "metrics",
    responses: { 200: { description: "Prometheus text exposition", contentType: "text/plain" } },
    handle: notMounted,
  },
  {
    method: "get",
    path: "/openapi.json",
    operationId: "openapi",
    summary: "This OpenAPI 3.1 document",
    tag: "operations",
    auth: "none",
    responses: { 200: { description: "OpenAPI 3.1 document" } },
    handle: notMounted,
  },
];
