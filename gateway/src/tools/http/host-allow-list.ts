// The hosts the http tool may fetch from (config tools.http.allowHosts). An entry is an exact host name or
// IP literal, or `*.example.com`, meaning any subdomain of example.com (not example.com itself). Matching is
// by whole labels, so `evilexample.com` never matches `example.com` or `*.example.com`.
import { isIP } from "node:net";
import { domainToASCII } from "node:url";

/** Lower-case ASCII (punycode) host without a trailing dot or IPv6 brackets. */
export function normalizeHost(host: string): string {
  const bare = host
    .trim()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  return bare.includes(":") ? bare : domainToASCII(bare) || bare;
}

export type HostAllowList = (host: string) => boolean;

export function createHostAllowList(entries: readonly string[]): HostAllowList {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of entries) {
    const raw = entry.trim();
    const wildcard = raw.startsWith("*.");
    const name = wildcard ? raw.slice(2) : raw;
    const host = normalizeHost(name);
    const ip = isIP(host) !== 0;
    // Host names only: no scheme, port, path or other wildcards (a port or path here is a config mistake).
    const malformed = /[/\\?#@:*\s]/.test(name) || !/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(host);
    if ((!ip && malformed) || (ip && wildcard)) {
      throw new RangeError(
        `allowHosts entry is not a host name or *.domain pattern: ${JSON.stringify(entry)}`,
      );
    }
    if (wildcard) suffixes.push(`.${host}`);
    else exact.add(host);
  }
  return (host) => {
    const name = normalizeHost(host);
    return exact.has(name) || suffixes.some((suffix) => name.endsWith(suffix) && name.length > suffix.length);
  };
}
