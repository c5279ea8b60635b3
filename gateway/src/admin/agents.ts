import { InvalidPublicKeyError, keyId, parsePublicKey, toBase64Url } from "@agentgw/sdk";
import type { AuditLog } from "../audit/audit-log.js";
import { GatewayError } from "../errors.js";
import { defineRoute, type Route } from "../http/route.js";
import {
  addKeyBody,
  agentIdParams,
  agentKeyParams,
  agentKeySchema,
  agentPageSchema,
  agentSchema,
  createAgentBody,
  listAgentsQuery,
  patchAgentBody,
} from "../schemas/agent.js";
import { type Store, StoreConflictError } from "../store/types.js";

export interface AgentRoutesDeps {
  store: Store;
  audit: AuditLog;
  nowSeconds: () => number;
}

const ACTOR = "admin";

async function registeredKey(input: unknown): Promise<{ kid: string; publicKey: string }> {
  try {
    const raw = parsePublicKey(input);
    return { kid: await keyId(raw), publicKey: toBase64Url(raw) };
  } catch (error) {
    if (error instanceof InvalidPublicKeyError) {
      throw new GatewayError("invalid_request", `body.publicKey: ${error.message}`, {
        extensions: { errors: [{ field: "body.publicKey", message: error.message }] },
      });
    }
    throw error;
  }
}

function conflictOnDuplicateKey(error: unknown): never {
  if (error instanceof StoreConflictError)
    throw new GatewayError("conflict", "this public key is registered already");
  throw error;
}

function agentNotFound(id: string): GatewayError {
  return new GatewayError("not_found", `no agent ${id}`);
}

export function agentRoutes({ store, audit, nowSeconds }: AgentRoutesDeps): Route[] {
  return [
    defineRoute({
      method: "post",
      path: "/admin/agents",
      operationId: "createAgent",
      summary: "Register an agent with its first public key",
      tag: "admin",
      auth: "admin",
      body: createAgentBody,
      responses: {
        201: { description: "The agent", schema: agentSchema },
        409: { description: "Key registered already" },
      },
      async handle({ body, res }) {
        const key = await registeredKey(body.publicKey);
        const agent = await store.agents
          .create({ name: body.name, scopes: body.scopes, tier: body.tier, metadata: body.metadata, key })
          .catch(conflictOnDuplicateKey);
        await audit.record(res, {
          actor: ACTOR,
          action: "agent.created",
          target: agent.id,
          details: { kid: key.kid, scopes: agent.scopes, tier: agent.tier },
        });
        return { status: 201, body: agent, headers: { Location: `/admin/agents/${agent.id}` } };
      },
    }),
    defineRoute({
      method: "get",
      path: "/admin/agents",
      operationId: "listAgents",
      summary: "List agents, oldest first, with cursor pagination",
      tag: "admin",
      auth: "admin",
      query: listAgentsQuery,
      responses: { 200: { description: "A page of agents", schema: agentPageSchema } },
      async handle({ query }) {
        const page = await store.agents.list({
          limit: query.limit,
          ...(query.status ? { status: query.status } : {}),
          ...(query.cursor ? { cursor: query.cursor } : {}),
        });
        return { status: 200, body: page };
      },
    }),
    defineRoute({
      method: "get",
      path: "/admin/agents/{id}",
      operationId: "getAgent",
      summary: "Get one agent",
      tag: "admin",
      auth: "admin",
      params: agentIdParams,
      responses: { 200: { description: "The agent", schema: agentSchema } },
      async handle({ params }) {
        const agent = await store.agents.get(params.id);
        if (!agent) throw agentNotFound(params.id);
        return { status: 200, body: agent };
      },
    }),
    defineRoute({
      method: "patch",
      path: "/admin/agents/{id}",
      operationId: "updateAgent",
      summary: "Change an agent; suspending it revokes its tokens at once",
      tag: "admin",
      auth: "admin",
      params: agentIdParams,
      body: patchAgentBody,
      responses: { 200: { description: "The agent", schema: agentSchema } },
      async handle({ params, body, res }) {
        const before = await store.agents.get(params.id);
        if (!before) throw agentNotFound(params.id);
        const agent = (await store.agents.update(params.id, body))!;
        let revokedTokens = 0;
        // A suspension must stay effective even if the agent is re-activated later.
        if (body.status === "suspended" && before.status !== "suspended") {
          revokedTokens = await store.tokens.revokeByAgent(agent.id, nowSeconds());
        }
        await audit.record(res, {
          actor: ACTOR,
          action: "agent.updated",
          target: agent.id,
          details: {
            changed: Object.keys(body),
            ...(body.status ? { status: body.status } : {}),
            revokedTokens,
          },
        });
        return { status: 200, body: agent };
      },
    }),
    defineRoute({
      method: "delete",
      path: "/admin/agents/{id}",
      operationId: "deleteAgent",
      summary: "Delete an agent; its keys and tokens stop working at once",
      tag: "admin",
      auth: "admin",
      params: agentIdParams,
      responses: { 204: { description: "Deleted" } },
      async handle({ params, res }) {
        const revokedTokens = await store.tokens.revokeByAgent(params.id, nowSeconds());
        if (!(await store.agents.delete(params.id))) throw agentNotFound(params.id);
        await audit.record(res, {
          actor: ACTOR,
          action: "agent.deleted",
          target: params.id,
          details: { revokedTokens },
        });
        return { status: 204 };
      },
    }),
    defineRoute({
      method: "post",
      path: "/admin/agents/{id}/keys",
      operationId: "addAgentKey",
      summary: "Add a public key to an agent",
      tag: "admin",
      auth: "admin",
      params: agentIdParams,
      body: addKeyBody,
      responses: {
        201: { description: "The key", schema: agentKeySchema },
        409: { description: "Key registered already" },
      },
      async handle({ params, body, res }) {
        const key = await registeredKey(body.publicKey);
        const added = await store.agents.addKey(params.id, key).catch(conflictOnDuplicateKey);
        if (!added) throw agentNotFound(params.id);
        await audit.record(res, {
          actor: ACTOR,
          action: "key.added",
          target: params.id,
          details: { kid: key.kid },
        });
        return { status: 201, body: added };
      },
    }),
    defineRoute({
      method: "delete",
      path: "/admin/agents/{id}/keys/{kid}",
      operationId: "revokeAgentKey",
      summary: "Revoke a key and every token bound to it",
      tag: "admin",
      auth: "admin",
      params: agentKeyParams,
      responses: { 204: { description: "Revoked" } },
      async handle({ params, res }) {
        if (!(await store.agents.revokeKey(params.id, params.kid))) {
          throw new GatewayError("not_found", `agent ${params.id} has no active key ${params.kid}`);
        }
        const revokedTokens = await store.tokens.revokeByAgent(params.id, nowSeconds(), params.kid);
        await audit.record(res, {
          actor: ACTOR,
          action: "key.revoked",
          target: params.id,
          details: { kid: params.kid, revokedTokens },
        });
        return { status: 204 };
      },
    }),
  ];
}
