#!/usr/bin/env node
// A small agent to run against a gateway you started (npm start, or npm start -- --fakes):
//   AGENTGW_URL=http://localhost:8080 node examples/js-agent.mjs [js-agent-key.pem]
// The first run creates the key file (its own: js-agent-key.pem) and prints how to register it. Later runs
// sign in as that agent and call each tool, one line a step. Exit code: 0 when every step succeeded, 1 when a
// step failed (or the key is not registered yet: the registration command is printed again), 2 when the
// gateway cannot be reached.
// Optional: AGENTGW_FETCH_URL (default https://example.com/) for the http tool, AGENTGW_MAIL_TO (default
// bob@example.com) for Gmail — the same variables as examples/python_agent.py.
import { existsSync } from "node:fs";
import { AgentGateway, AgentGatewayError, generateKeyPair, keyId, toBase64Url } from "@agentgw/sdk";
import { readKeyPairPem, writeKeyPairPem } from "@agentgw/sdk/node";

const baseUrl = (process.env.AGENTGW_URL || "http://localhost:8080").replace(/\/+$/, "");
const keyFile = process.argv[2] ?? "js-agent-key.pem";
const fetchUrl = process.env.AGENTGW_FETCH_URL || "https://example.com/";
const mailTo = process.env.AGENTGW_MAIL_TO || "bob@example.com";
const SCOPES = ["openai:chat", "gmail:send", "serpapi:search", "http:fetch"];

/**
 * How an admin registers this key: with curl, or with the agentgw command line.
 * @param {string} publicKey
 */
function printRegistration(publicKey) {
  const body = JSON.stringify({ name: "js-agent", publicKey, scopes: SCOPES });
  console.log(
    `curl -X POST ${baseUrl}/admin/agents -H "Authorization: Bearer $AGENTGW_ADMIN_TOKEN" ` +
      `-H 'Content-Type: application/json' \\\n  -d '${body}'`,
  );
  console.log(
    `\nor: AGENTGW_URL=${baseUrl} npx agentgw agents register --name js-agent --key ${keyFile} --scopes ${SCOPES.join(",")}`,
  );
}

if (!existsSync(keyFile)) {
  const key = await generateKeyPair();
  await writeKeyPairPem(keyFile, key);
  console.log(`Created ${keyFile} (key id ${await keyId(key.publicKey)}).`);
  console.log("Register its public key through the admin API, then run me again:\n");
  printRegistration(toBase64Url(key.publicKey));
  process.exit(0);
}

const key = await readKeyPairPem(keyFile);
console.log(`Agent key ${await keyId(key.publicKey)} from ${keyFile}, gateway ${baseUrl}\n`);
const gw = new AgentGateway({ baseUrl, key });
let ran = 0;
let failed = 0;

/** @param {string} title @param {() => Promise<unknown>} run */
async function step(title, run) {
  ran += 1;
  try {
    console.log(`✔ ${title}: ${await run()}`);
    return true;
  } catch (error) {
    failed += 1;
    if (!(error instanceof AgentGatewayError)) {
      const cause = error instanceof Error ? (error.cause ?? error) : error;
      if (error instanceof TypeError && /fetch failed/.test(String(error.message))) {
        console.log(
          `✘ ${title}: cannot reach the gateway at ${baseUrl} (${cause}). Is it running (npm start)?`,
        );
        process.exit(2);
      }
      console.log(`✘ ${title}: ${String(error)}`);
      return false;
    }
    const reasons = error.problem?.reasons;
    const detail =
      Array.isArray(reasons) && reasons.length ? reasons.join("; ") : (error.problem?.detail ?? "");
    console.log(`✘ ${title}: ${error.code} (${error.status}) ${detail}`);
    if (error.code === "unknown_key") {
      console.log(`\nThis key is not registered on ${baseUrl}. Register it, then run me again:\n`);
      printRegistration(toBase64Url(key.publicKey));
      process.exit(1);
    }
    return false;
  }
}

await step("whoami (a signed request)", async () => {
  const me = await gw.whoami();
  return `${me.agent.name} (${me.agent.id}), scopes ${me.agent.scopes.join(" ")}`;
});
await step("tools I could be granted", async () =>
  (await gw.listTools()).tools.map((t) => `${t.name}${t.available ? "" : " (unavailable)"}`).join(", "),
);
await step("openai chat", async () => {
  const reply = await gw.openai.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "Say hello" }],
  });
  return JSON.stringify(reply.choices[0]?.message.content);
});
await step("serpapi search", async () => {
  const results = (await gw.serpapi.search({ q: "agent gateway", num: 3 })).organic_results ?? [];
  return results.length
    ? `${results.length} results, first: ${JSON.stringify(results[0]?.title)}`
    : "no results";
});
await step(
  "http fetch",
  async () => `${fetchUrl} answered ${(await gw.http.fetch({ url: fetchUrl })).status}`,
);
await step("gmail send", async () => {
  const sent = await gw.gmail.send(
    { to: mailTo, subject: "Hello from the JS agent", text: "Sent through Agent Gateway." },
    { intent: "say hello from the example agent" },
  );
  return `message ${sent.id} to ${mailTo}`;
});

console.log(`\n${ran - failed} of ${ran} steps succeeded.`);
process.exit(failed ? 1 : 0);
