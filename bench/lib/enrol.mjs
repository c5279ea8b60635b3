// Registers the load's agent through the admin API and gets its tool token, as an agent
// would (signed with the SDK), for bench/run.mjs and bench/workers.mjs alike.
import { signRequest, toBase64Url } from "@agentgw/sdk";

/** Resolves to the openai:chat tool token of a fresh agent holding `key`. */
export async function enrol(origin, adminToken, key) {
  const admin = await fetch(`${origin}/admin/agents`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({
      name: "bench",
      publicKey: toBase64Url(key.publicKey),
      scopes: ["openai:chat"],
      metadata: { role: "assistant" },
    }),
  });
  if (admin.status !== 201) throw new Error(`registering the agent: ${admin.status} ${await admin.text()}`);
  const body = JSON.stringify({ tool: "openai", scopes: ["openai:chat"] });
  const url = `${origin}/v1/tokens`;
  const headers = { "content-type": "application/json" };
  const signed = await signRequest({ method: "POST", url, headers, body }, key);
  const res = await fetch(url, { method: "POST", headers: { ...headers, ...signed }, body });
  if (res.status !== 201) throw new Error(`getting a token: ${res.status} ${await res.text()}`);
  return (await res.json()).token;
}
