// The tool-call route is mounted by hand (any method, any path below the tool);
// this spec only describes it in the OpenAPI document.
import type { Route } from "../http/route.js";

export const toolCallRouteSpec: Route = {
  method: "post",
  path: "/v1/tools/{tool}/{path}",
  operationId: "callTool",
  summary:
    "Call a tool through the gateway: the path after the tool mirrors the tool's own REST API (any method). Needs Authorization: Bearer <tool token>, covered by the signature.",
  tag: "tools",
  auth: "signed",
  responses: { 200: { description: "The tool's own response, forwarded (SSE streams pass through)" } },
  async handle() {
    return undefined;
  },
};
