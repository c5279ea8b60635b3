import { randomBytes } from "node:crypto";
import { createApiKeys } from "./api-keys.js";
import { type FakeServer, type Reply, startFakeServer } from "./fake-server.js";
import type { RecordedRequest } from "./recorded-request.js";

/** One entry of SerpAPI's `organic_results`. */
export interface OrganicResult {
  position: number;
  title: string;
  link: string;
  displayed_link: string;
  snippet: string;
  source?: string;
}

/** The search parameters a scripted result function receives (everything but `api_key`). */
export type SearchParameters = Record<string, string>;

export type ResultsScript = (parameters: SearchParameters) => Omit<OrganicResult, "position">[];

export interface FakeSerpApiOptions {
  /** The key clients must pass as the `api_key` query parameter (default: random hex, as SerpAPI's). */
  apiKey?: string;
  /** Organic results for a query (default: `num` deterministic results derived from `q`). */
  results?: ResultsScript;
}

export interface FakeSerpApi extends FakeServer {
  readonly apiKey: string;
  /** Issues another valid key and returns it. */
  issueApiKey(): string;
  /** Revokes a key: searches carrying it are refused with 401. */
  revokeApiKey(key: string): void;
  /** Replaces the organic results; `undefined` restores the default ones. */
  script(script: { results?: ResultsScript | undefined }): void;
}

const ENGINES = new Set(["google", "bing", "duckduckgo"]);
const INVALID_KEY = "Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key";

function error(status: number, message: string): Reply {
  return { status, json: { error: message } };
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 60) || "query"
  );
}

/** `num` results about `q`, the same every time, so tests can assert on titles and links. */
export function defaultResults(parameters: SearchParameters): Omit<OrganicResult, "position">[] {
  const q = parameters.q ?? "";
  const start = Number(parameters.start ?? "0");
  const num = Number(parameters.num ?? "10");
  return Array.from({ length: num }, (_, i) => {
    const n = start + i + 1;
    const link = `https://example.com/${slug(q)}/${n}`;
    return {
      title: `${q} - result ${n}`,
      link,
      displayed_link: `example.com › ${slug(q)} › ${n}`,
      snippet: `A page about ${q} (result ${n}).`,
      source: "Example",
    };
  });
}

function serpTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** Starts a fake SerpAPI answering `GET /search.json` (and `/search`) in SerpAPI's JSON. */
export async function startFakeSerpApi(options: FakeSerpApiOptions = {}): Promise<FakeSerpApi> {
  const newKey = () => randomBytes(32).toString("hex");
  const apiKey = options.apiKey ?? newKey();
  if (typeof apiKey !== "string" || apiKey === "") throw new TypeError("apiKey must be a non-empty string");
  if (options.results !== undefined && typeof options.results !== "function") {
    throw new TypeError("results must be a function");
  }
  const validKeys = createApiKeys(apiKey, newKey);
  let results: ResultsScript = options.results ?? defaultResults;
  let searches = 0;

  function search(request: RecordedRequest): Reply {
    const { api_key: presented, ...parameters } = request.query;
    if (presented === undefined || !validKeys.has(presented)) return error(401, INVALID_KEY);
    const engine = parameters.engine ?? "google";
    if (!ENGINES.has(engine)) return error(400, `Unsupported \`${engine}\` search engine.`);
    const q = parameters.q;
    if (q === undefined || q.trim() === "") return error(400, "Missing query `q` parameter.");
    const num = Number(parameters.num ?? "10");
    const start = Number(parameters.start ?? "0");
    if (!Number.isInteger(num) || num < 1 || num > 100) return error(400, "Invalid `num` parameter.");
    if (!Number.isInteger(start) || start < 0) return error(400, "Invalid `start` parameter.");

    searches += 1;
    const id = searches.toString(16).padStart(24, "0");
    const now = new Date();
    const organic = results({ ...parameters, engine }).map((r, i) => ({ position: start + i + 1, ...r }));
    const googleUrl = new URL("https://www.google.com/search");
    googleUrl.searchParams.set("q", q);
    googleUrl.searchParams.set("oq", q);
    googleUrl.searchParams.set("sourceid", "chrome");
    googleUrl.searchParams.set("ie", "UTF-8");
    const document = {
      search_metadata: {
        id,
        status: "Success",
        json_endpoint: `https://serpapi.com/searches/${id}/${id}.json`,
        created_at: serpTime(now),
        processed_at: serpTime(now),
        google_url: googleUrl.toString(),
        raw_html_file: `https://serpapi.com/searches/${id}/${id}.html`,
        total_time_taken: 0.42,
      },
      search_parameters: { engine, q, google_domain: "google.com", device: "desktop", ...parameters },
      search_information: {
        query_displayed: q,
        organic_results_state: organic.length > 0 ? "Results for exact spelling" : "Fully empty",
        total_results: organic.length > 0 ? 1000 : 0,
        time_taken_displayed: 0.31,
      },
    };
    if (organic.length === 0) {
      // SerpAPI answers an empty search with 200 and an `error` member, not with an empty array.
      return {
        status: 200,
        json: { ...document, error: "Google hasn't returned any results for this query." },
      };
    }
    return { status: 200, json: { ...document, organic_results: organic } };
  }

  const server = await startFakeServer({
    handle(request) {
      const isSearch = request.path === "/search.json" || request.path === "/search";
      if (request.method === "GET" && isSearch) return search(request);
      return error(404, "Not Found");
    },
    errorReply: (status, message) => error(status, message),
    onReset() {
      results = options.results ?? defaultResults;
      searches = 0;
      validKeys.reset();
    },
  });

  return {
    ...server,
    apiKey,
    issueApiKey: () => validKeys.issue(),
    revokeApiKey: (key) => validKeys.revoke(key),
    script(script) {
      if (script.results !== undefined && typeof script.results !== "function") {
        throw new TypeError("results must be a function");
      }
      results = script.results ?? options.results ?? defaultResults;
    },
  };
}
