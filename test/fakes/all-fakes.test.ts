import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startAllFakes } from "./all-fakes.js";

describe("startAllFakes", () => {
  it("starts the four fakes and gives the gateway environment that reaches them", async () => {
    const fakes = await startAllFakes({ website: { slowMs: 10 } });
    try {
      const { env } = fakes;
      const models = await fetch(`${env.AGENTGW_OPENAI_BASE_URL}/v1/models`, {
        headers: { authorization: `Bearer ${env.OPENAI_API_KEY}` },
      });
      assert.equal(models.status, 200);
      const token = await fetch(env.AGENTGW_GMAIL_TOKEN_URL!, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: env.GMAIL_REFRESH_TOKEN!,
          client_id: env.GMAIL_CLIENT_ID!,
          client_secret: env.GMAIL_CLIENT_SECRET!,
        }),
      });
      assert.equal(token.status, 200);
      const search = await fetch(
        `${env.AGENTGW_SERPAPI_BASE_URL}/search.json?q=x&api_key=${env.SERPAPI_API_KEY}`,
      );
      assert.equal(search.status, 200);
      assert.equal(env.AGENTGW_HTTP_ALLOW_HOSTS, new URL(fakes.website.url).host);
      assert.equal((await fetch(`${fakes.website.url}/slow`)).status, 200);
      fakes.reset();
      assert.equal(fakes.openai.received.length, 0);
    } finally {
      await fakes.close();
    }
  });
});
