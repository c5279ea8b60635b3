import { randomBytes } from "node:crypto";
import { type FakeGmail, type FakeGmailOptions, startFakeGmail } from "./fake-gmail.js";
import { type FakeOpenAi, type FakeOpenAiOptions, startFakeOpenAi } from "./fake-openai.js";
import { type FakeSerpApi, type FakeSerpApiOptions, startFakeSerpApi } from "./fake-serpapi.js";
import { type FakeWebsite, type FakeWebsiteOptions, startFakeWebsite } from "./fake-website.js";

export interface AllFakes {
  openai: FakeOpenAi;
  gmail: FakeGmail;
  serpapi: FakeSerpApi;
  website: FakeWebsite;
  /**
   * The gateway's environment (CONTRACT.md §8) pointing every tool at these fakes with their
   * credentials, ready to merge into a child process's `env`.
   */
  env: Record<string, string>;
  /** Resets every fake (received requests, misbehaviour, state). */
  reset(): void;
  close(): Promise<void>;
}

export interface AllFakesOptions {
  openai?: FakeOpenAiOptions;
  gmail?: FakeGmailOptions;
  serpapi?: FakeSerpApiOptions;
  website?: FakeWebsiteOptions;
}

/** Starts the four fakes together, e.g. for the demo or an end-to-end suite. */
export async function startAllFakes(options: AllFakesOptions = {}): Promise<AllFakes> {
  const started = await Promise.allSettled([
    startFakeOpenAi(options.openai),
    startFakeGmail(options.gmail),
    startFakeSerpApi(options.serpapi),
    startFakeWebsite(options.website),
  ]);
  const failure = started.find((result) => result.status === "rejected");
  if (failure) {
    // Do not leave the ones that did start listening behind.
    await Promise.all(
      started.map((result) => (result.status === "fulfilled" ? result.value.close() : undefined)),
    );
    throw failure.reason;
  }
  const [openai, gmail, serpapi, website] = started.map(
    (result) => (result as PromiseFulfilledResult<unknown>).value,
  ) as [FakeOpenAi, FakeGmail, FakeSerpApi, FakeWebsite];
  const all = [openai, gmail, serpapi, website];
  return {
    openai,
    gmail,
    serpapi,
    website,
    env: {
      AGENTGW_OPENAI_BASE_URL: openai.url,
      OPENAI_API_KEY: openai.apiKey,
      AGENTGW_GMAIL_BASE_URL: gmail.url,
      AGENTGW_GMAIL_TOKEN_URL: gmail.tokenUrl,
      GMAIL_CLIENT_ID: gmail.clientId,
      GMAIL_CLIENT_SECRET: gmail.clientSecret,
      GMAIL_REFRESH_TOKEN: gmail.refreshToken,
      AGENTGW_SERPAPI_BASE_URL: serpapi.url,
      SERPAPI_API_KEY: serpapi.apiKey,
      // host:port, since an allow-list entry without a port allows only 80 and 443.
      AGENTGW_HTTP_ALLOW_HOSTS: new URL(website.url).host,
      // The website listens on loopback, which the http tool refuses unless told otherwise.
      AGENTGW_HTTP_ALLOW_PRIVATE: "1",
      // The gateway stores these credentials sealed, and outside dev mode it needs a master key to do so.
      AGENTGW_MASTER_KEY: randomBytes(32).toString("base64url"),
    },
    reset() {
      for (const fake of all) fake.reset();
    },
    async close() {
      await Promise.all(all.map((fake) => fake.close()));
    },
  };
}
