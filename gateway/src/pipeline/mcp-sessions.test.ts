// The MCP stages on a shared session table that becomes unreachable (Redis down), in-process: a request
// that needs its session is refused with 503 store_unavailable (never served from a guess, never a 500),
// service resumes when the table answers again, and an initialize whose session cannot be recorded is
// refused with its upstream session ended. The replay cache stays local here, so the session lookup is the
// only check that can fail.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { type AgentKeyPair, generateKeyPair, signRequest, toBase64Url } from "@agentgw/sdk";
import { type InProcessGateway, startInProcessGateway } from "../http/testing/in-process-gateway.js";
import { createMemoryMcpSessions, type McpSessions } from "../mcp/sessions.js";
import { createLocalSharedState } from "../shared-state/index.js";
import { StoreUnavailableError } from "../store/types.js";

const servers: Server[] = [];
let gw: InProcessGateway;
let base = "";
/** What the upstream MCP server received: "METHOD rpc-method session". */
const upstreamSaw: string[] = [];
const down = { find: false, open: false };

/** A session table that refuses like Redis does while `down` says so. */
function switchableTable(table: McpSessions): McpSessions {
  const unavailable = () => new StoreUnavailableError("redis");
  return {
    open: async (...args) => {
      if (down.open) throw unavailable();
      return table.open(...args);
    },
    find: async (...args) => {
      if (down.find) throw unavailable();
      return table.find(...args);
    },
    close: (id) => table.close(id),
  };
}

async function listen(server: Server): Promise<string> {
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

before(async () => {
  let sessions = 0;
  const upstream = await listen(
    createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const message = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
      upstreamSaw.push(`${req.method} ${message.method ?? "-"} ${req.headers["mcp-session-id"] ?? "-"}`);
      if (req.method === "DELETE") return res.writeHead(200).end();
      const headers: Record<string, string> = { "content-type": "application/json" };
      let result: unknown = { tools: [] };
      if (message.method === "initialize") {
        headers["mcp-session-id"] = `up-${++sessions}`;
        result = {
          protocolVersion: "2025-06-18",
          capabilities: { tools: {} },
          serverInfo: { name: "t", version: "1" },
        };
      }
      res.writeHead(200, headers).end(JSON.stringify({ jsonrpc: "2.0", id: message.id, result }));
    }),
  );
  const shared = { ...createLocalSharedState(), mcpSessions: switchableTable(createMemoryMcpSessions()) };
  gw = await startInProcessGateway({
    rego: 'package agentgw\n\ndecision := {"allow": true}\n',
    configFile: { mcp: { servers: { up: { url: upstream } } } },
    services: { shared },
  });
  base = gw.base;
});
after(async () => {
  for (const server of servers) server.close();
  await gw.close();
});

async function signed(key: AgentKeyPair, path: string, body: unknown, headers: Record<string, string> = {}) {
  const url = base + path;
  const text = JSON.stringify(body);
  const all = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    ...headers,
  };
  const sig = await signRequest({ method: "POST", url, headers: all, body: text }, key);
  const res = await fetch(url, { method: "POST", headers: { ...all, ...sig }, body: text });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

describe("MCP sessions on a shared table that is unreachable", () => {
  it("refuses with 503 store_unavailable, recovers, and ends an upstream session it could not record", async () => {
    const key = await generateKeyPair();
    const created = await fetch(`${base}/admin/agents`, {
      method: "POST",
      headers: { authorization: `Bearer ${gw.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "mcp", publicKey: toBase64Url(key.publicKey), scopes: ["mcp.up:use"] }),
    });
    assert.equal(created.status, 201);
    const issued = await signed(key, "/v1/tokens", { tool: "mcp.up", scopes: ["mcp.up:use"] });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const auth = { authorization: `Bearer ${issued.body.token}` };
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    };
    const opened = await signed(key, "/v1/mcp/up", initialize, auth);
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
    const sessionId = opened.headers.get("mcp-session-id")!;
    assert.ok(sessionId && sessionId !== "up-1", "the agent gets the gateway's own id");
    const list = () =>
      signed(
        key,
        "/v1/mcp/up",
        { jsonrpc: "2.0", id: 2, method: "tools/list" },
        { ...auth, "mcp-session-id": sessionId },
      );
    assert.equal((await list()).status, 200);

    down.find = true;
    const refused = await list();
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal(refused.body.code, "store_unavailable");
    assert.ok(Number(refused.headers.get("retry-after")) >= 1);
    down.find = false;
    assert.equal((await list()).status, 200, "served again once the table answers");

    down.open = true;
    const notRecorded = await signed(key, "/v1/mcp/up", initialize, auth);
    down.open = false;
    assert.equal(notRecorded.status, 503, JSON.stringify(notRecorded.body));
    assert.equal(notRecorded.body.code, "store_unavailable");
    assert.equal(notRecorded.headers.get("mcp-session-id"), null);
    for (let i = 0; i < 50 && !upstreamSaw.includes("DELETE - up-2"); i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.ok(
      upstreamSaw.includes("DELETE - up-2"),
      `the unusable upstream session is ended: ${upstreamSaw.join(", ")}`,
    );
    assert.ok(!upstreamSaw.some((s) => s.includes(sessionId)), "the agent's id never goes upstream");
  });
});
