#!/usr/bin/env node
// A small agent to run against a gateway you started (npm start):
//   AGENTGW_URL=http://localhost:8080 node examples/js-agent.mjs [key.pem]
// The first run creates the key file and prints the public key for an admin to register.
import { existsSync } from "node:fs";
import { AgentGateway, AgentGatewayError, generateKeyPair, toBase64Url } from "@agentgw/sdk";
import { readKeyPairPem, writeKeyPairPem } from "@agentgw/sdk/node";

const baseUrl = process.env.AGENTGW_URL ?? "http://localhost:8080";
const keyFile = process.argv[2] ?? "agent-key.pem";

if (!existsSync(keyFile)) {
  const key = await generateKeyPair();
  await writeKeyPairPem(keyFile, key);
  console.log(`Created ${keyFile}. Register this public key (admin API), then run me again:\n`);
  console.log(
    `curl -X POST ${baseUrl}/admin/agents -H "Authorization: Bearer $AGENTGW_ADMIN_TOKEN" -H 'Content-Type: application/json' \\\n` +
      `  -d '{"name":"js-agent","publicKey":"${toBase64Url(key.publicKey)}","scopes":["openai:chat","serpapi:search","http:fetch","gmail:send"]}'`,
  );
  process.exit(0);
}

const gw = new AgentGateway({ baseUrl, key: await readKeyPairPem(keyFile) });
/** @param {string} title @param {() => Promise<unknown>} run */
const step = async (title, run) => {
  try {
    console.log(`✔ ${title}: ${await run()}`);
  } catch (error) {
    const why =
      error instanceof AgentGatewayError
        ? `${error.code} (${error.status}) ${error.problem?.detail ?? ""}`
        : String(error);
    console.log(`✘ ${title}: ${why}`);
  }
};

await step("whoami", async () => {
  const me = await gw.whoami();
  return `${me.agent.name} ${me.agent.id}, scopes ${me.agent.scopes.join(" ")}`;
});
await step("tools I could be granted", async () =>
  (await gw.listTools()).tools.map((t) => `${t.name}${t.available ? "" : " (unavailable)"}`).join(", "),
);
await step("openai chat", async () => {
  const reply = await gw.openai.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "Say hello" }],
  });
  return reply.choices[0]?.message.content;
});
await step(
  "serpapi search",
  async () => (await gw.serpapi.search({ q: "agent gateway" })).organic_results?.[0]?.title,
);
await step(
  "http fetch",
  async () => `status ${(await gw.http.fetch({ url: "https://example.com/" })).status}`,
);
await step("gmail send", async () => {
  const sent = await gw.gmail.send(
    { to: "bob@example.com", subject: "Hello", text: "Sent through Agent Gateway." },
    { intent: "say hello to Bob from the example agent" },
  );
  return `message ${sent.id}`;
});
