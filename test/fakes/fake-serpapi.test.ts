import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { type FakeSerpApi, startFakeSerpApi } from "./fake-serpapi.js";

interface SerpResponse {
  search_metadata: { id: string; status: string; google_url: string };
  search_parameters: Record<string, string>;
  search_information: { query_displayed: string; organic_results_state: string };
  organic_results?: { position: number; title: string; link: string; snippet: string }[];
  error?: string;
}

describe("fake SerpAPI", () => {
  let fake: FakeSerpApi;

  before(async () => {
    fake = await startFakeSerpApi();
  });
  beforeEach(() => fake.reset());
  after(() => fake.close());

  function search(params: Record<string, string>): Promise<Response> {
    return fetch(`${fake.url}/search.json?${new URLSearchParams(params)}`);
  }

  it("answers a Google search in SerpAPI's JSON, derived from q", async () => {
    const response = await search({ q: "agent gateway", engine: "google", api_key: fake.apiKey, num: "3" });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    const body = (await response.json()) as SerpResponse;
    assert.equal(body.search_metadata.status, "Success");
    assert.match(body.search_metadata.id, /^[0-9a-f]{24}$/);
    assert.equal(new URL(body.search_metadata.google_url).searchParams.get("q"), "agent gateway");
    assert.equal(body.search_parameters.engine, "google");
    assert.equal(body.search_parameters.q, "agent gateway");
    assert.equal(body.search_parameters.api_key, undefined, "the key is never echoed");
    assert.deepEqual(
      body.organic_results?.map((r) => [r.position, r.title, r.link]),
      [
        [1, "agent gateway - result 1", "https://example.com/agent-gateway/1"],
        [2, "agent gateway - result 2", "https://example.com/agent-gateway/2"],
        [3, "agent gateway - result 3", "https://example.com/agent-gateway/3"],
      ],
    );
    assert.equal(fake.received[0]?.query.api_key, fake.apiKey);
  });

  it("refuses a wrong or missing api_key with 401 and SerpAPI's error", async () => {
    const attempts: Record<string, string>[] = [{ q: "x" }, { q: "x", api_key: "wrong" }];
    for (const params of attempts) {
      const response = await search(params);
      assert.equal(response.status, 401);
      const body = (await response.json()) as { error: string };
      assert.match(body.error, /^Invalid API key\. /);
    }
  });

  it("answers 400 for a missing q or an unknown engine", async () => {
    const noQuery = await search({ api_key: fake.apiKey });
    assert.equal(noQuery.status, 400);
    assert.equal(((await noQuery.json()) as { error: string }).error, "Missing query `q` parameter.");
    const engine = await search({ q: "x", engine: "altavista", api_key: fake.apiKey });
    assert.equal(engine.status, 400);
  });

  it("lets a test script the results, and says so when there are none", async () => {
    fake.script({
      results: ({ q }) => [
        { title: `Only ${q}`, link: "https://x.test/", displayed_link: "x.test", snippet: "s" },
      ],
    });
    const scripted = (await (await search({ q: "cats", api_key: fake.apiKey })).json()) as SerpResponse;
    assert.deepEqual(
      scripted.organic_results?.map((r) => r.title),
      ["Only cats"],
    );

    fake.script({ results: () => [] });
    const empty = (await (await search({ q: "cats", api_key: fake.apiKey })).json()) as SerpResponse;
    assert.equal(empty.organic_results, undefined);
    assert.equal(empty.search_information.organic_results_state, "Fully empty");
    assert.match(empty.error ?? "", /hasn't returned any results/);
  });
});
