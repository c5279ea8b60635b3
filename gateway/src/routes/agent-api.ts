// The signed agent API: who am I, what could I be granted, give me a tool token.
import type { Request, Response } from "express";
import { z } from "zod";
import { GatewayError } from "../errors.js";
import { defineRoute, type Route } from "../http/route.js";
import { type AuthorizeDeps, askPolicy } from "../pipeline/authorize.js";
import type { PolicyEngine } from "../policy/policy-engine.js";
import { agentSchema } from "../schemas/agent.js";
import { tokenRequestBody, tokenResponseSchema } from "../schemas/tokens.js";
import { toolListSchema } from "../schemas/tools.js";
import type { AgentStore, TokenStore } from "../store/types.js";
import { effectiveTtl } from "../tokens/effective-ttl.js";
import { issueToolToken } from "../tokens/mint-token.js";
import { requireScopes } from "../tokens/require-scopes.js";
import type { SigningKeyRing } from "../tokens/signing-keys.js";
import { findTool, scopesOf, TOOL_CATALOG, type ToolSpec } from "../tools/catalog.js";
import type { ToolConnector } from "../tools/types.js";

export interface AgentApiDeps extends AuthorizeDeps {
  policy: Pick<PolicyEngine, "decide" | "status">;
  keyRing: Pick<SigningKeyRing, "current">;
  tokenStore: Pick<TokenStore, "recordIssued" | "revokeByJti">;
  /** Read again once the token is recorded (see {@link confirmStillActive}). */
  agents: Pick<AgentStore, "findByKid">;
  connectors: ReadonlyMap<string, Pick<ToolConnector, "available">>;
  issuer: string;
  maxTtlSeconds: number;
  onTokenMinted?: (tool: string) => void;
  /** The tool `mcp.{server}` of a configured MCP server; undefined for any other name. */
  mcpTool?: (name: string) => Promise<ToolSpec | undefined>;
}

export function agentApiRoutes(deps: AgentApiDeps): Route[] {
  return [
    defineRoute({
      method: "get",
      path: "/v1/whoami",
      operationId: "whoami",
      summary: "The agent and key that signed this request",
      tag: "agent",
      auth: "signed",
      responses: {
        200: { description: "The calling agent", schema: z.object({ agent: agentSchema, kid: z.string() }) },
      },
      async handle({ res }) {
        return { status: 200, body: { agent: res.locals.agent, kid: res.locals.signature!.kid } };
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/tools",
      operationId: "listTools",
      summary: "The tools and actions this agent could be granted",
      tag: "agent",
      auth: "signed",
      responses: { 200: { description: "Tools", schema: toolListSchema } },
      async handle({ res }) {
        const ceiling = res.locals.agent!.scopes;
        const tools = TOOL_CATALOG.filter((tool) => tool.actions.some((a) => ceiling.includes(a.scope))).map(
          (tool) => ({
            name: tool.name,
            description: tool.description,
            available: deps.connectors.get(tool.name)?.available() ?? false,
            actions: tool.actions.map((a) => ({
              name: a.name,
              scope: a.scope,
              method: a.method,
              description: a.description,
              grantable: ceiling.includes(a.scope),
            })),
          }),
        );
        return { status: 200, body: { tools } };
      },
    }),
    defineRoute({
      method: "post",
      path: "/v1/tokens",
      operationId: "createToken",
      summary: "Mint a short-lived tool token bound to the signing key, if the policy allows",
      tag: "agent",
      auth: "signed",
      body: tokenRequestBody,
      responses: { 201: { description: "The token", schema: tokenResponseSchema } },
      async handle({ body, req, res }) {
        return { status: 201, body: await mintForRequest(req, res, body, deps) };
      },
    }),
  ];
}

async function mintForRequest(
  req: Request,
  res: Response,
  body: z.output<typeof tokenRequestBody>,
  deps: AgentApiDeps,
) {
  const tool = findTool(body.tool) ?? (await deps.mcpTool?.(body.tool));
  if (!tool) throw new GatewayError("unknown_tool", `no tool named ${JSON.stringify(body.tool)}`);
  const toolScopes = scopesOf(tool);
  const foreign = body.scopes.filter((s) => !toolScopes.includes(s));
  if (foreign.length) {
    throw new GatewayError(
      "invalid_request",
      `body.scopes: ${foreign.join(", ")} not a scope of ${tool.name} (${toolScopes.join(", ")})`,
    );
  }
  const agent = res.locals.agent!;
  requireScopes(agent.scopes, body.scopes, `agent ${agent.id}`);
  const scopes = [...new Set(body.scopes)];

  const decision = await askPolicy(req, res, deps, {
    phase: "token",
    tool: tool.name,
    action: null,
    scopes,
    intent: body.intent ?? null,
    path: req.path,
    query: "",
    body: {
      tool: body.tool,
      scopes: body.scopes,
      intent: body.intent ?? null,
      ttlSeconds: body.ttlSeconds ?? null,
    },
  });
  const minted = await issueToolToken({
    keyRing: deps.keyRing,
    tokenStore: deps.tokenStore,
    issuer: deps.issuer,
    agentId: agent.id,
    kid: res.locals.signature!.kid,
    tool: tool.name,
    scopes,
    intent: body.intent ?? null,
    ttlSeconds: effectiveTtl(body.ttlSeconds, decision.obligations.max_ttl_seconds, deps.maxTtlSeconds),
    policyRevision: deps.policy.status()?.revision ?? "",
    now: () => new Date(deps.nowMs()),
  });
  await confirmStillActive(deps, agent.id, res.locals.signature!.kid, minted.jti);
  deps.onTokenMinted?.(tool.name);
  return {
    token: minted.token,
    tokenType: "Bearer" as const,
    jti: minted.jti,
    tool: tool.name,
    scopes,
    expiresAt: minted.expiresAt,
    expiresIn: minted.expiresIn,
  };
}

/**
 * Suspending an agent (or revoking its key) first marks it, then revokes the tokens it
 * finds. A token recorded after that sweep would escape it, so once ours is recorded the
 * agent and key are read again: whichever order the two ran in, the token is revoked.
 */
async function confirmStillActive(deps: AgentApiDeps, agentId: string, kid: string, jti: string) {
  const found = await deps.agents.findByKid(kid);
  if (found?.agent.id === agentId && found.agent.status === "active" && found.key.status === "active") return;
  await deps.tokenStore.revokeByJti(jti, Math.floor(deps.nowMs() / 1000));
  if (found?.agent.status === "suspended")
    throw new GatewayError("agent_suspended", "this agent is suspended");
  throw new GatewayError("unknown_key", "keyid is not an active key");
}
