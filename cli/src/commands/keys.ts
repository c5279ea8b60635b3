// agentgw keys add|revoke: an agent's public keys (admin API).
import type { AgentKey } from "@agentgw/sdk";
import type { Command } from "commander";
import { adminFor, leaf, segment, withUrl } from "../command-kit.js";
import type { CliIo } from "../io.js";
import { fields } from "../output.js";
import { publicKeyFrom } from "../public-key.js";

export function registerKeys(program: Command, io: CliIo): void {
  const keys = program.command("keys").description("add and revoke an agent's keys (admin)");

  leaf(
    io,
    keys,
    "add <agent-id>",
    "add a public key to an agent",
    (c) =>
      withUrl(c)
        .option("--key <file>", "the agent's private key file (only its public key is sent)")
        .option("--public-key <b64url>", "the public key: base64url of 32 bytes, or an OKP JWK"),
    async (call) => {
      const admin = adminFor(io, call);
      const publicKey = await publicKeyFrom(io, call.out, call.opts);
      const key = await admin.request<AgentKey>("POST", `/admin/agents/${segment(call.args[0]!)}/keys`, {
        json: { publicKey },
      });
      call.out.result(key, (k) =>
        fields([
          ["kid", k.kid],
          ["status", k.status],
          ["created", k.createdAt],
        ]),
      );
    },
  );

  leaf(
    io,
    keys,
    "revoke <agent-id> <kid>",
    "revoke a key; tokens bound to it stop working",
    withUrl,
    async (call) => {
      const [agentId, kid] = call.args as [string, string];
      await adminFor(io, call).request("DELETE", `/admin/agents/${segment(agentId)}/keys/${segment(kid)}`);
      call.out.result({ agentId, kid, revoked: true }, () => `revoked ${kid}`);
    },
  );
}
