// agentgw agents …: register, list, look at, suspend, activate and delete agents (admin API).
import type { Agent } from "@agentgw/sdk";
import type { Command } from "commander";
import { adminFor, commaList, jsonObject, leaf, positiveInt, segment, withUrl } from "../command-kit.js";
import type { CliIo } from "../io.js";
import { fields, table } from "../output.js";
import { publicKeyFrom } from "../public-key.js";

interface AgentPage {
  items: Agent[];
  nextCursor: string | null;
}

export function registerAgents(program: Command, io: CliIo): void {
  const agents = program.command("agents").description("register and manage agents (admin)");

  leaf(
    io,
    agents,
    "register",
    "register an agent with its public key",
    (c) =>
      withUrl(c)
        .requiredOption("--name <name>", "a name people recognise")
        .option("--key <file>", "the agent's private key file (only its public key is sent)")
        .option("--public-key <b64url>", "the public key: base64url of 32 bytes, or an OKP JWK")
        .option("--scopes <a,b>", "the most this agent may ever be granted", commaList)
        .option("--tier <tier>", "rate-limit tier")
        .option("--metadata <json>", "JSON object the policy sees", jsonObject),
    async (call) => {
      const admin = adminFor(io, call);
      const { opts } = call;
      const publicKey = await publicKeyFrom(io, call.out, opts);
      const agent = await admin.request<Agent>("POST", "/admin/agents", {
        json: {
          name: opts.name,
          publicKey,
          ...(opts.scopes ? { scopes: opts.scopes } : {}),
          ...(opts.tier ? { tier: opts.tier } : {}),
          ...(opts.metadata ? { metadata: opts.metadata } : {}),
        },
      });
      call.out.result(agent, describeAgent);
    },
  );

  leaf(
    io,
    agents,
    "list",
    "list agents",
    (c) =>
      withUrl(c)
        .option("--status <status>", "active or suspended")
        .option("--limit <n>", "how many", positiveInt)
        .option("--cursor <cursor>", "the page after this cursor (printed by the previous page)"),
    async (call) => {
      const { opts, out } = call;
      const page = await adminFor(io, call).request<AgentPage>("GET", "/admin/agents", {
        query: {
          status: opts.status as string | undefined,
          limit: opts.limit as number | undefined,
          cursor: opts.cursor as string | undefined,
        },
      });
      out.result(page, (p) => {
        const rows = table(p.items, [
          ["id", (a) => a.id],
          ["name", (a) => a.name],
          ["status", (a) => a.status],
          ["tier", (a) => a.tier],
          ["keys", (a) => a.keys.filter((k) => k.status === "active").length],
          ["scopes", (a) => a.scopes],
        ]);
        return p.nextCursor ? `${rows}\nmore: agentgw agents list --cursor ${p.nextCursor}` : rows;
      });
    },
  );

  leaf(io, agents, "get <id>", "show one agent and its keys", withUrl, async (call) => {
    const agent = await adminFor(io, call).request<Agent>("GET", `/admin/agents/${segment(call.args[0]!)}`);
    call.out.result(agent, describeAgent);
  });

  for (const [name, status, says] of [
    ["suspend", "suspended", "suspend an agent: its requests are refused until activated"],
    ["activate", "active", "activate a suspended agent"],
  ] as const) {
    leaf(io, agents, `${name} <id>`, says, withUrl, async (call) => {
      const agent = await adminFor(io, call).request<Agent>(
        "PATCH",
        `/admin/agents/${segment(call.args[0]!)}`,
        {
          json: { status },
        },
      );
      call.out.result(agent, (a) => `${a.id} is ${a.status}`);
    });
  }

  leaf(
    io,
    agents,
    "delete <id>",
    "delete an agent; its tokens stop working at once",
    withUrl,
    async (call) => {
      const id = call.args[0]!;
      await adminFor(io, call).request("DELETE", `/admin/agents/${segment(id)}`);
      call.out.result({ id, deleted: true }, () => `deleted ${id}`);
    },
  );
}

export function describeAgent(agent: Agent): string {
  return [
    fields([
      ["id", agent.id],
      ["name", agent.name],
      ["status", agent.status],
      ["tier", agent.tier],
      ["scopes", agent.scopes],
      ["metadata", agent.metadata],
      ["created", agent.createdAt],
    ]),
    "",
    table(agent.keys, [
      ["kid", (k) => k.kid],
      ["status", (k) => k.status],
      ["created", (k) => k.createdAt],
    ]),
  ].join("\n");
}
