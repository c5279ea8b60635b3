import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { staticCredential } from "../credential-source.js";
import { callContext, FAST_RESILIENCE, toolCall } from "../testing/calls.js";
import { type FakeSerpApi, startFakeSerpApi } from "../testing/fakes.js";
import type { ToolConnector, ToolResponse } from "../types.js";
import { createSerpApiConnector } from "./serpapi-connector.js";

function text(response: ToolResponse): string {
  assert.ok(Buffer.isBuffer(response.body));
  return response.body.toString("utf8");
}

describe("serpapi connector", () => {
  let fake: FakeSerpApi;
  let connector: ToolConnector;
  before(async () => {
    fake = await startFakeSerpApi();
  });
  beforeEach(async () => {
    await connector?.close?.();
    fake.reset();
    connector = createSerpApiConnector({
      baseUrl: fake.url,
      credential: staticCredential("serpapi", { apiKey: fake.apiKey }),
      resilience: FAST_RESILIENCE,
    });
  });
  after(async () => {
    await connector.close?.();
    await fake.close();
  });

  const search = (query: string, agentId = "agt_a") =>
    toolCall("serpapi", "/search.json", { query, agentId, headers: { authorization: "Bearer agent-token" } });

  test("adds the gateway's api_key, replacing any the agent sent, and never returns it", async () => {
    const response = await connector.forward(search("q=coffee&api_key=agent-guess&num=3"), callContext());
    assert.equal(response.status, 200);
    const answer = JSON.parse(text(response));
    assert.equal(answer.organic_results.length, 3);
    const seen = fake.received[0]!;
    assert.equal(seen.query.api_key, fake.apiKey);
    assert.equal(new URL(seen.url, "http://x").searchParams.getAll("api_key").length, 1);
    assert.equal(seen.headers.authorization, undefined);
    assert.ok(!text(response).includes(fake.apiKey));
    assert.ok(!JSON.stringify(response.headers).includes(fake.apiKey));
  });

  test("the same search by the same agent is served from the cache; another agent's is not", async () => {
    const first = await connector.forward(search("q=tea&num=2"), callContext());
    assert.equal(first.cached, undefined);
    const second = await connector.forward(search("num=2&q=tea"), callContext());
    assert.equal(second.cached, true);
    assert.equal(text(second), text(first));
    assert.equal(fake.received.length, 1);
    await connector.forward(search("q=tea&num=2", "agt_b"), callContext());
    assert.equal(fake.received.length, 2);
  });

  test("error answers are not cached", async () => {
    fake.behave({ fail: { status: 400, times: 1 } });
    const failed = await connector.forward(search("q=x"), callContext());
    assert.equal(failed.status, 400);
    const ok = await connector.forward(search("q=x"), callContext());
    assert.equal(ok.status, 200);
    assert.equal(ok.cached, undefined);
  });

  test("obligations apply to cached answers too", async () => {
    await connector.forward(search("q=rust&num=1"), callContext());
    const redacted = await connector.forward(
      search("q=rust&num=1"),
      callContext({
        obligations: { redact: ["/search_metadata"], truncate: { "/organic_results/0/title": 4 } },
      }),
    );
    assert.equal(redacted.cached, true);
    const answer = JSON.parse(text(redacted));
    assert.equal(answer.search_metadata, undefined);
    assert.equal(answer.organic_results[0].title, "rust");
  });
});
