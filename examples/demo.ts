// `npm run demo`: the whole flow in one run, printed step by step. Starts local fake
// tools (real wire formats) and a real gateway process with the example policies, then
// walks a JavaScript agent through registration, signed requests, tokens, every tool
// and one policy denial, and shows what the admin can see afterwards.
import { AgentGateway, generateKeyPair, PolicyDeniedError, toBase64Url } from "@agentgw/sdk";
import { startAllFakes } from "../test/fakes/index.js";
import { startGateway } from "../test/support/gateway-process.js";

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
let step = 0;
const say = (title: string, detail?: unknown) => {
  step += 1;
  console.log(`\n${bold(`${step}. ${title}`)}`);
  if (detail !== undefined) console.log(typeof detail === "string" ? `   ${detail}` : detail);
};

const fakes = await startAllFakes();
const gateway = await startGateway({ env: fakes.env });
try {
  say(
    "Gateway up with fake OpenAI, Gmail, SerpAPI and a website",
    `${gateway.url} (data in ${gateway.dataDir})`,
  );

  const key = await generateKeyPair();
  say("The agent made an Ed25519 key pair", `kid (RFC 7638 thumbprint): ${key.kid}`);

  const registered = await gateway.admin("POST", "/admin/agents", {
    name: "demo-agent",
    publicKey: toBase64Url(key.publicKey),
    scopes: ["openai:chat", "openai:models", "gmail:send", "serpapi:search", "http:fetch"],
    metadata: { team: "demo" },
  });
  say(
    "An admin registered its public key",
    `agent ${registered.body.id}, scopes ${registered.body.scopes.join(", ")}`,
  );

  const gw = new AgentGateway({ baseUrl: gateway.url, key });
  const me = await gw.whoami();
  say(
    "Signed GET /v1/whoami (RFC 9421, Ed25519, nonce, expiry)",
    `the gateway says: ${me.agent.name} / ${me.kid}`,
  );

  const token = await gw.tokenFor("openai", ["openai:chat"]);
  say(
    "POST /v1/tokens: a short-lived EdDSA JWT bound to the key",
    `jti ${token.jti}, expires in ${token.expiresIn} s`,
  );

  const reply = await gw.openai.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "What is an agent gateway?" }],
  });
  say(
    "OpenAI chat completion through the gateway (the agent never saw the API key)",
    `assistant: ${reply.choices[0]?.message.content}`,
  );

  process.stdout.write(
    `\n${bold(`${++step}. The same, streamed (SSE passes through as it arrives)`)}\n   assistant: `,
  );
  const stream = await gw.openai.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "stream this answer" }],
    stream: true,
  });
  for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? "");
  console.log();

  const sent = await gw.gmail.send(
    { to: "bob@example.com", subject: "Weekly report", text: "All systems green." },
    { intent: "send the weekly status report to Bob" },
  );
  say(
    "Gmail send (the gateway holds the OAuth refresh token)",
    `message ${sent.id}; the fake mailbox got "${fakes.gmail.sent.at(-1)?.subject}"`,
  );

  const results = await gw.serpapi.search({ q: "agent gateway" });
  say("SerpAPI search (the gateway adds api_key)", `top result: ${results.organic_results?.[0]?.title}`);

  const page = await gw.http.fetch({ url: `${fakes.website.url}/page` });
  say("HTTP fetch of an allow-listed site", `status ${page.status}, ${page.body.length} characters`);

  try {
    await gw.openai.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "use a premium model" }],
    });
    say("Policy denial", "unexpected: the call was allowed");
  } catch (error) {
    if (!(error instanceof PolicyDeniedError)) throw error;
    say(
      "The policy denied a model outside the agent's tier (403 policy_denied)",
      error.reasons.map((r) => `- ${r}`).join("\n   "),
    );
  }

  const decisions = await gateway.admin("GET", `/admin/decisions?agentId=${me.agent.id}&limit=50`);
  const verify = await gateway.admin("GET", "/admin/audit/verify");
  say(
    "What the admin sees",
    `${decisions.body.items.length} decisions recorded (${decisions.body.items.filter((d: { allow: boolean }) => !d.allow).length} denied); audit chain ok=${verify.body.ok} over ${verify.body.checked} records`,
  );
  console.log(`\n${bold("Done.")} Try: npm start, then the curl lines in the README.`);
} finally {
  await gateway.stop();
  gateway.cleanup();
  await fakes.close();
}
