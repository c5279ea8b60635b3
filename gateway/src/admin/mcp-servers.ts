// Admin API for MCP servers: the servers agents reach at /v1/mcp/{name}, and their pinned tool
// definitions. A definition changed upstream stays hidden and refused until accepted here (audited).
import type { AuditLog } from "../audit/audit-log.js";
import { GatewayError } from "../errors.js";
import { defineRoute, type Route } from "../http/route.js";
import type { McpServers } from "../mcp/mcp-servers.js";
import { isChanged, type ToolPin, type ToolPins } from "../mcp/tool-pins.js";
import {
  acceptToolBody,
  mcpServerListSchema,
  mcpServerNameParams,
  mcpServerSchema,
  mcpToolParams,
  putMcpServerBody,
  toolPinListSchema,
  toolPinSchema,
} from "../schemas/mcp-servers.js";

export interface McpServerRoutesDeps {
  servers: McpServers;
  pins: ToolPins;
  audit: AuditLog;
}

const pinView = (pin: ToolPin) => ({ ...pin, changed: isChanged(pin) });

export function mcpServerRoutes({ servers, pins, audit }: McpServerRoutesDeps): Route[] {
  async function known(name: string) {
    const server = await servers.get(name);
    if (!server) throw new GatewayError("not_found", `no MCP server ${name}`);
    return server;
  }
  return [
    defineRoute({
      method: "get",
      path: "/admin/mcp-servers",
      operationId: "listMcpServers",
      summary: "The MCP servers agents reach at /v1/mcp/{name}",
      tag: "admin",
      auth: "admin",
      responses: { 200: { description: "MCP servers", schema: mcpServerListSchema } },
      async handle() {
        return { status: 200, body: { items: await servers.list() } };
      },
    }),
    defineRoute({
      method: "put",
      path: "/admin/mcp-servers/{name}",
      operationId: "putMcpServer",
      summary: "Add or replace an MCP server agents reach at /v1/mcp/{name}",
      tag: "admin",
      auth: "admin",
      params: mcpServerNameParams,
      body: putMcpServerBody,
      responses: {
        200: { description: "Replaced", schema: mcpServerSchema },
        201: { description: "Added", schema: mcpServerSchema },
        409: { description: "The server is set by the config file" },
      },
      async handle({ params, body, res }) {
        const server = { name: params.name, url: body.url, credential: body.credential ?? null };
        const created = await servers.put(server);
        await audit.record(res, {
          actor: res.locals.adminActor ?? "admin",
          action: created ? "mcp.server.created" : "mcp.server.replaced",
          target: server.name,
          details: { url: server.url, credential: server.credential },
        });
        return { status: created ? 201 : 200, body: { ...server, source: "admin" } };
      },
    }),
    defineRoute({
      method: "delete",
      path: "/admin/mcp-servers/{name}",
      operationId: "deleteMcpServer",
      summary: "Remove an MCP server added by the admin API, and its pins",
      tag: "admin",
      auth: "admin",
      params: mcpServerNameParams,
      responses: {
        204: { description: "Removed" },
        409: { description: "The server is set by the config file" },
      },
      async handle({ params, res }) {
        await servers.remove(params.name);
        await audit.record(res, {
          actor: res.locals.adminActor ?? "admin",
          action: "mcp.server.deleted",
          target: params.name,
          details: {},
        });
        return { status: 204 };
      },
    }),
    defineRoute({
      method: "get",
      path: "/admin/mcp-servers/{name}/tools",
      operationId: "listMcpToolPins",
      summary: "The server's tools as pinned and as seen last; changed ones are hidden and refused",
      tag: "admin",
      auth: "admin",
      params: mcpServerNameParams,
      responses: { 200: { description: "Pinned tool definitions", schema: toolPinListSchema } },
      async handle({ params }) {
        const server = await known(params.name);
        return { status: 200, body: { items: (await pins.list(server.name)).map(pinView) } };
      },
    }),
    defineRoute({
      method: "post",
      path: "/admin/mcp-servers/{name}/tools/{tool}/accept",
      operationId: "acceptMcpTool",
      summary: "Pin the definition of the tool seen last: it is listed and callable again",
      tag: "admin",
      auth: "admin",
      params: mcpToolParams,
      body: acceptToolBody,
      responses: {
        200: { description: "The pin, now of the definition seen last", schema: toolPinSchema },
        409: { description: "The definition seen last is not the digest given" },
      },
      async handle({ params, body, res }) {
        const server = await known(params.name);
        const pin = await pins.accept(server.name, params.tool, body.digest);
        await audit.record(res, {
          actor: res.locals.adminActor ?? "admin",
          action: "mcp.tool.accepted",
          target: `${server.name}/${pin.tool}`,
          details: { digest: pin.pinnedDigest },
        });
        return { status: 200, body: pinView(pin) };
      },
    }),
  ];
}
