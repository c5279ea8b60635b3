// gw.serpapi: web search; the gateway adds the api_key.
import type { QueryValue } from "../client.js";
import { throwUnlessOk } from "./problem.js";
import type { ToolCaller, ToolMethodOptions } from "./tool-caller.js";

export interface SerpApiSearchParams {
  q: string;
  /** google (default), bing, duckduckgo … */
  engine?: string;
  num?: number;
  start?: number;
  location?: string;
  hl?: string;
  gl?: string;
  [param: string]: QueryValue;
}

export interface SerpApiOrganicResult {
  position: number;
  title: string;
  link: string;
  snippet?: string;
  [member: string]: unknown;
}

export interface SerpApiSearchResult {
  search_metadata?: { id?: string; status?: string; [member: string]: unknown };
  search_parameters?: Record<string, unknown>;
  organic_results?: SerpApiOrganicResult[];
  /** SerpAPI answers 200 with `error` when a search found nothing. */
  error?: string;
  [member: string]: unknown;
}

export interface SerpApiTool {
  /** Needs serpapi:search. */
  search(params: SerpApiSearchParams, options?: ToolMethodOptions): Promise<SerpApiSearchResult>;
}

export function createSerpApiTool(call: ToolCaller): SerpApiTool {
  return {
    async search(params, options = {}) {
      if (typeof params?.q !== "string" || params.q === "")
        throw new TypeError("q must be a non-empty string");
      if ("api_key" in params) throw new TypeError("api_key is added by the gateway; do not send one");
      const response = await call("serpapi", "GET", "/search.json", { ...options, query: params });
      return (await (await throwUnlessOk(response)).json()) as SerpApiSearchResult;
    },
  };
}
