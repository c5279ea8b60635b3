// Every route createApp mounts through runRoute, in one list, so the app and the
// OpenAPI emitter (gateway/scripts/emit-openapi.ts) cannot drift apart.
import { type AgentRoutesDeps, agentRoutes } from "../admin/agents.js";
import { approvalAdminRoutes } from "../admin/approvals.js";
import { type CredentialRoutesDeps, credentialRoutes } from "../admin/credentials.js";
import { type McpServerRoutesDeps, mcpServerRoutes } from "../admin/mcp-servers.js";
import { overviewRoutes } from "../admin/overview.js";
import { policyAdminRoutes } from "../admin/policy.js";
import { recordRoutes } from "../admin/records.js";
import { type TokenAdminDeps, tokenAdminRoutes } from "../admin/tokens.js";
import type { Route } from "../http/route.js";
import { type AgentApiDeps, agentApiRoutes } from "./agent-api.js";
import { agentApprovalRoutes } from "./agent-approvals.js";
import { type DiscoveryDeps, discoveryRoutes } from "./discovery.js";
import { type HealthDeps, healthRoutes } from "./health.js";

export interface GatewayRouteDeps {
  health: HealthDeps;
  agents: AgentRoutesDeps;
  tokenAdmin: TokenAdminDeps;
  policyAdmin: Parameters<typeof policyAdminRoutes>[0];
  records: Parameters<typeof recordRoutes>[0];
  credentials: CredentialRoutesDeps;
  discovery: DiscoveryDeps;
  agentApi: AgentApiDeps;
  approvals: Parameters<typeof agentApprovalRoutes>[0];
  overview: Parameters<typeof overviewRoutes>[0];
  mcpServers: McpServerRoutesDeps;
}

export function gatewayRoutes(deps: GatewayRouteDeps): Route[] {
  return [
    ...healthRoutes(deps.health),
    ...agentRoutes(deps.agents),
    ...tokenAdminRoutes(deps.tokenAdmin),
    ...policyAdminRoutes(deps.policyAdmin),
    ...recordRoutes(deps.records),
    ...credentialRoutes(deps.credentials),
    ...discoveryRoutes(deps.discovery),
    ...approvalAdminRoutes(deps.approvals),
    ...overviewRoutes(deps.overview),
    ...mcpServerRoutes(deps.mcpServers),
    ...agentApiRoutes(deps.agentApi),
    ...agentApprovalRoutes(deps.approvals),
  ];
}

export { DESCRIBED_ONLY_ROUTES } from "./described-only.js";
