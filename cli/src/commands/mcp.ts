// agentgw mcp …: MCP servers behind the gateway and their pinned tool definitions (admin API).
import type { Command } from "commander";
import { adminFor, leaf, segment, withUrl } from "../command-kit.js";
import type { CliIo } from "../io.js";
import { fields, table } from "../output.js";

interface McpServer {
  name: string;
  url: string;
  credential: string | null;
  source: string;
}

interface ToolPin {
  server: string;
  tool: string;
  pinnedDigest: string;
  seenDigest: string;
  changed: boolean;
  seen: { name: string; description?: string };
  pinnedAt: string;
  seenAt: string;
}

export function registerMcp(program: Command, io: CliIo): void {
  const mcp = program.command("mcp").description("MCP servers and their pinned tool definitions (admin)");

  leaf(io, mcp, "servers", "list the MCP servers agents reach at /v1/mcp/{name}", withUrl, async (call) => {
    const page = await adminFor(io, call).request<{ items: McpServer[] }>("GET", "/admin/mcp-servers");
    call.out.result(page, (p) =>
      table(p.items, [
        ["name", (s) => s.name],
        ["url", (s) => s.url],
        ["credential", (s) => s.credential ?? ""],
        ["source", (s) => s.source],
      ]),
    );
  });

  leaf(
    io,
    mcp,
    "set <name> <url>",
    "add or replace an MCP server",
    (c) =>
      withUrl(c).option("--credential <name>", "credential of tool mcp.<name> whose headers go upstream"),
    async (call) => {
      const server = await adminFor(io, call).request<McpServer>(
        "PUT",
        `/admin/mcp-servers/${segment(call.args[0]!)}`,
        {
          json: {
            url: call.args[1],
            ...(call.opts.credential === undefined ? {} : { credential: call.opts.credential }),
          },
        },
      );
      call.out.result(server, (s) =>
        fields([
          ["name", s.name],
          ["url", s.url],
          ["credential", s.credential],
        ]),
      );
    },
  );

  leaf(io, mcp, "remove <name>", "remove an MCP server added by the admin API", withUrl, async (call) => {
    await adminFor(io, call).request("DELETE", `/admin/mcp-servers/${segment(call.args[0]!)}`);
    call.out.result({ removed: call.args[0] }, () => `removed ${call.args[0]}`);
  });

  leaf(
    io,
    mcp,
    "tools <server>",
    "the server's tools as pinned and as seen last (changed ones are hidden and refused)",
    withUrl,
    async (call) => {
      const page = await adminFor(io, call).request<{ items: ToolPin[] }>(
        "GET",
        `/admin/mcp-servers/${segment(call.args[0]!)}/tools`,
      );
      call.out.result(page, (p) =>
        table(p.items, [
          ["tool", (t) => t.tool],
          ["changed", (t) => (t.changed ? "CHANGED" : "")],
          ["seen digest", (t) => t.seenDigest],
          ["description seen last", (t) => t.seen.description ?? ""],
        ]),
      );
    },
  );

  leaf(
    io,
    mcp,
    "accept <server> <tool>",
    "pin the definition of the tool seen last, so agents see and call it again",
    (c) =>
      withUrl(c).option(
        "--digest <digest>",
        "refuse unless this is the digest seen last (what you reviewed)",
      ),
    async (call) => {
      const pin = await adminFor(io, call).request<ToolPin>(
        "POST",
        `/admin/mcp-servers/${segment(call.args[0]!)}/tools/${segment(call.args[1]!)}/accept`,
        { json: call.opts.digest === undefined ? {} : { digest: call.opts.digest } },
      );
      call.out.result(pin, (t) =>
        fields([
          ["tool", t.tool],
          ["pinned", t.pinnedDigest],
          ["description", t.seen.description ?? null],
        ]),
      );
    },
  );
}
