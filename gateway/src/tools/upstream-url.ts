/**
 * The upstream URL for a call: the configured base URL (its path kept as a prefix) + the path after
 * `/v1/tools/{tool}` + the query. The path has already matched one of the tool's actions.
 */
export function upstreamUrl(baseUrl: string, path: string, query: string): URL {
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, "");
  const url = new URL(base.origin);
  url.pathname = prefix + path;
  url.search = query;
  return url;
}
