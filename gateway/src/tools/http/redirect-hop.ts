// Where a redirect leads, decided before anything is sent there: the next request of an http tool fetch, or
// a refusal (upstream_error: the upstream chose the hop, not the agent). The policy is asked about the hop
// afterwards, by the connector, like about the first request.
import { GatewayError } from "../../errors.js";
import { checkDestination, type FetchRequest } from "./fetch-request.js";
import type { GuardedLookupOptions } from "./guarded-lookup.js";
import type { HostAllowList } from "./host-allow-list.js";

export type HopRequest = Pick<FetchRequest, "url" | "method" | "headers" | "body">;

/**
 * The request a redirect (status + Location) of `current` leads to. Refused: an invalid or non-http(s)
 * target, a host or port off the allow-list, a non-public address literal, https → plain http, and a hop to
 * another origin that would carry the request body. A hop to another origin carries none of the agent's
 * headers. RFC 9110 §15.4: 303 (and, as browsers do, 301/302 after a POST) continue as GET without a body.
 */
export function redirectHop(
  current: HopRequest,
  status: number,
  location: string,
  allowList: HostAllowList,
  guard: GuardedLookupOptions,
): HopRequest {
  let url: URL;
  try {
    url = new URL(location, current.url);
  } catch {
    throw new GatewayError("upstream_error", "the upstream redirected to an invalid URL");
  }
  url.hash = "";
  checkDestination(url, allowList, guard, "upstream_error");
  if (current.url.protocol === "https:" && url.protocol !== "https:") {
    throw new GatewayError("upstream_error", "redirect refused: from https to plain http");
  }
  let { method, body } = current;
  let headers = { ...current.headers };
  if (status === 303 || ((status === 301 || status === 302) && method === "POST")) {
    if (method !== "HEAD") method = "GET";
    body = null;
    delete headers["content-type"];
  }
  if (url.origin !== current.url.origin) {
    if (body !== null) {
      throw new GatewayError(
        "upstream_error",
        `redirect refused: a ${status} to another origin would resend the request body there`,
      );
    }
    // What the agent wrote for one site is not sent to another.
    headers = {};
  }
  return { url, method, headers, body };
}
