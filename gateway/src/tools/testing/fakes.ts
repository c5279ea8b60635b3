// Loads the fake upstreams of test/fakes for the connector tests. They live outside this package's
// rootDir, so they are imported by a computed URL (which tsc does not follow) and typed here by the few
// members these tests use.

export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  json: unknown;
  outcome: "pending" | "completed" | "hung" | "dropped";
  clientDisconnected: boolean;
  finishedAt: number | undefined;
}

export interface Behaviour {
  fail?: { status: number; times?: number; retryAfter?: number | string; path?: string } | undefined;
  delayMs?: number | undefined;
  hang?: { times?: number; path?: string } | true | undefined;
  drop?: { times?: number; afterChunks?: number } | true | undefined;
}

export interface FakeServer {
  readonly url: string;
  readonly received: RecordedRequest[];
  behave(behaviour: Behaviour): void;
  reset(): void;
  waitForRequest(
    predicate: (request: RecordedRequest) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export interface FakeOpenAi extends FakeServer {
  readonly apiKey: string;
  script(script: { reply?: string; chunkDelayMs?: number; streamDeltas?: string[] }): void;
}

export interface FakeGmail extends FakeServer {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  readonly tokenCalls: number;
  readonly sent: Array<{ to: string[]; cc: string[]; bcc: string[]; subject: string; text: string }>;
  revokeAccessTokens(): number;
}

export interface FakeSerpApi extends FakeServer {
  readonly apiKey: string;
}

export type FakeWebsite = FakeServer;

const FAKES = new URL("../../../../test/fakes/", import.meta.url);

async function load<T>(file: string, factory: string, options: object = {}): Promise<T> {
  const module = (await import(new URL(file, FAKES).href)) as Record<string, (o: object) => Promise<T>>;
  const start = module[factory];
  if (typeof start !== "function") throw new Error(`test/fakes/${file} has no ${factory}`);
  return start(options);
}

export const startFakeOpenAi = (options: { chunkDelayMs?: number; reply?: string } = {}) =>
  load<FakeOpenAi>("fake-openai.ts", "startFakeOpenAi", options);
export const startFakeGmail = (options: { accessTokenTtlSeconds?: number } = {}) =>
  load<FakeGmail>("fake-gmail.ts", "startFakeGmail", options);
export const startFakeSerpApi = () => load<FakeSerpApi>("fake-serpapi.ts", "startFakeSerpApi");
export const startFakeWebsite = (options: { largePageBytes?: number; slowMs?: number } = {}) =>
  load<FakeWebsite>("fake-website.ts", "startFakeWebsite", options);
