// Fake upstream tools for end-to-end tests and the demo; each speaks its real tool's wire format.

export type { AllFakes, AllFakesOptions } from "./all-fakes.js";
export { startAllFakes } from "./all-fakes.js";
export type { FakeGmail, FakeGmailOptions, SeedMessage, SentMessage } from "./fake-gmail.js";
export { startFakeGmail } from "./fake-gmail.js";
export type {
  FakeOpenAi,
  FakeOpenAiOptions,
  OpenAiReply,
  OpenAiReplyContext,
  OpenAiScript,
} from "./fake-openai.js";
export { startFakeOpenAi } from "./fake-openai.js";
export type {
  FakeSerpApi,
  FakeSerpApiOptions,
  OrganicResult,
  ResultsScript,
  SearchParameters,
} from "./fake-serpapi.js";
export { defaultResults, startFakeSerpApi } from "./fake-serpapi.js";
export type { FakeServer, Reply } from "./fake-server.js";
export type { FakeWebsite, FakeWebsiteOptions } from "./fake-website.js";
export { startFakeWebsite } from "./fake-website.js";
export type { Behaviour, DropBehaviour, FailBehaviour, HangBehaviour } from "./misbehaviour.js";
export type { Outcome, RecordedRequest } from "./recorded-request.js";
export { buildMessage, parseMessage } from "./rfc2822.js";
