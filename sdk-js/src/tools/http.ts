// gw.http: fetch a page on a host the gateway allows (SSRF-safe on the gateway's side).

import { throwUnlessOk } from "./problem.js";
import type { ToolCaller, ToolMethodOptions } from "./tool-caller.js";

export interface HttpFetchParams {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** The page's answer as the gateway relays it (the tool's own status, not the call's). */
export interface HttpFetchResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  [member: string]: unknown;
}

export interface HttpTool {
  /** Needs http:fetch. */
  fetch(params: HttpFetchParams, options?: ToolMethodOptions): Promise<HttpFetchResult>;
}

export function createHttpTool(call: ToolCaller): HttpTool {
  return {
    async fetch(params, options = {}) {
      if (typeof params?.url !== "string" || !/^https?:\/\//i.test(params.url)) {
        throw new TypeError("url must be an absolute http(s) URL");
      }
      const response = await call("http", "POST", "/fetch", { ...options, json: params });
      return (await (await throwUnlessOk(response)).json()) as HttpFetchResult;
    },
  };
}
