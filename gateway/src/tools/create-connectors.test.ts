import assert from "node:assert/strict";
import { test } from "node:test";
import { configSchema } from "../config.js";
import { TOOL_CATALOG } from "./catalog.js";
import { createConnectors, type ToolCredentialSources } from "./create-connectors.js";
import { staticCredential } from "./credential-source.js";

const none: ToolCredentialSources = {
  openai: staticCredential("openai", undefined),
  gmail: staticCredential("gmail", undefined),
  serpapi: staticCredential("serpapi", undefined),
};

const tools = configSchema.parse({}).tools;

test("one connector per catalog tool; tools without credentials are unavailable", async () => {
  const connectors = createConnectors({ tools }, none);
  assert.deepEqual([...connectors.keys()].sort(), TOOL_CATALOG.map((t) => t.name).sort());
  for (const connector of connectors.values()) assert.equal(connector.available(), false, connector.name);
  await Promise.all([...connectors.values()].map((c) => c.close?.()));
});

test("credentials and an allow-list make the tools available", async () => {
  const connectors = createConnectors(
    { tools: { ...tools, http: { ...tools.http, allowHosts: ["example.com"] } } },
    {
      openai: staticCredential("openai", { apiKey: "sk-test" }),
      serpapi: staticCredential("serpapi", { apiKey: "serp-test" }),
      gmail: staticCredential("gmail", { clientId: "id", clientSecret: "secret", refreshToken: "refresh" }),
    },
  );
  for (const connector of connectors.values()) assert.equal(connector.available(), true, connector.name);
  for (const connector of connectors.values()) assert.equal(connector.breakerState?.(), "closed");
  await Promise.all([...connectors.values()].map((c) => c.close?.()));
});

test("a malformed allow-list entry fails at creation", () => {
  assert.throws(
    () =>
      createConnectors({ tools: { ...tools, http: { ...tools.http, allowHosts: ["http://x.com/"] } } }, none),
    RangeError,
  );
});
