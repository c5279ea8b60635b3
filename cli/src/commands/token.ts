// agentgw token: asks the gateway for a tool token with the agent's key (POST /v1/tokens).
import type { ToolToken } from "@agentgw/sdk";
import type { Command } from "commander";
import { agentGateway, loadAgentKey } from "../agent-client.js";
import { commaList, leaf, positiveInt, withKey } from "../command-kit.js";
import { refusalsOf } from "../gateway-errors.js";
import type { CliIo } from "../io.js";
import { fields } from "../output.js";
import { gatewayUrl } from "../settings.js";

export function registerToken(program: Command, io: CliIo): void {
  leaf(
    io,
    program,
    "token",
    "get a tool token for the agent (signed with its key)",
    (c) =>
      withKey(c)
        .requiredOption("--tool <tool>", "the tool, e.g. openai")
        .requiredOption("--scopes <a,b>", "the scopes to ask for, e.g. openai:chat", commaList)
        .option("--intent <text>", "why the agent wants it (policies may require one)")
        .option("--ttl <seconds>", "ask for a shorter lifetime", positiveInt),
    async ({ opts, out }) => {
      const url = gatewayUrl(io, opts.url as string | undefined);
      const key = await loadAgentKey(io, out, opts.key as string | undefined);
      const gateway = agentGateway(io, url, key);
      const token = await refusalsOf(url, () =>
        gateway.request<ToolToken>("POST", "/v1/tokens", {
          json: {
            tool: opts.tool,
            scopes: opts.scopes,
            ...(opts.intent === undefined ? {} : { intent: opts.intent }),
            ...(opts.ttl === undefined ? {} : { ttlSeconds: opts.ttl }),
          },
        }),
      );
      out.result(token, (t) =>
        fields([
          ["token", t.token],
          ["jti", t.jti],
          ["tool", t.tool],
          ["scopes", t.scopes],
          ["expires", `${t.expiresAt} (in ${t.expiresIn} s)`],
        ]),
      );
    },
  );
}
