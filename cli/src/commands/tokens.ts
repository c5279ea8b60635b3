// agentgw tokens revoke: ends tool tokens before they expire (admin API), one by jti or all of an agent's.
import type { Command } from "commander";
import { adminFor, leaf, withUrl } from "../command-kit.js";
import { UsageError } from "../errors.js";
import type { CliIo } from "../io.js";

export function registerTokens(program: Command, io: CliIo): void {
  const tokens = program.command("tokens").description("revoke tool tokens (admin)");
  leaf(
    io,
    tokens,
    "revoke",
    "revoke one token (--jti) or every token of an agent (--agent)",
    (c) =>
      withUrl(c)
        .option("--jti <jti>", "the token's jti")
        .option("--agent <id>", "every live token of this agent"),
    async (call) => {
      const { jti, agent } = call.opts as { jti?: string; agent?: string };
      if ((jti === undefined) === (agent === undefined))
        throw new UsageError("pass exactly one of --jti and --agent");
      const result = await adminFor(io, call).request<{ revoked: number }>("POST", "/admin/tokens/revoke", {
        json: jti === undefined ? { agentId: agent } : { jti },
      });
      call.out.result(result, (r) => `revoked ${r.revoked} token${r.revoked === 1 ? "" : "s"}`);
    },
  );
}
