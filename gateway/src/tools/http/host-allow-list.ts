// The hosts and ports the http tool may fetch from (config tools.http.allowHosts). An entry is an exact host
// name or IP literal, or `*.example.com`, meaning any subdomain of example.com (not example.com itself), with
// an optional `:port` (`api.example.com:8443`, `[2001:db8::1]:8080`). An entry without a port allows the
// default ports 80 and 443 only, so an allow-listed host cannot be used to reach its other services (an
// admin port, a database) or to probe for closed ports. Matching is by whole labels, so `evilexample.com`
// never matches `example.com` or `*.example.com`.
import { isIP } from "node:net";
import { domainToASCII } from "node:url";

/** The ports an entry without `:port` allows. */
export const DEFAULT_PORTS: readonly number[] = [80, 443];

/** Lower-case ASCII (punycode) host without a trailing dot or IPv6 brackets. */
export function normalizeHost(host: string): string {
  const bare = host
    .trim()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  return bare.includes(":") ? bare : domainToASCII(bare) || bare;
}

/** The port a URL connects to: its own, or its scheme's default. */
export function portOf(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

export type HostAllowList = (host: string, port: number) => boolean;

/** `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 literal (more than one colon, no port). */
function splitPort(entry: string): { name: string; port: number | undefined } {
  const bracketed = /^(\[[^\]]*\])(?::(\d+))?$/.exec(entry);
  if (bracketed)
    return { name: bracketed[1]!, port: bracketed[2] === undefined ? undefined : Number(bracketed[2]) };
  const colons = entry.split(":").length - 1;
  if (colons !== 1) return { name: entry, port: undefined };
  const at = entry.lastIndexOf(":");
  const port = entry.slice(at + 1);
  if (!/^\d+$/.test(port)) return { name: entry, port: Number.NaN };
  return { name: entry.slice(0, at), port: Number(port) };
}

export function createHostAllowList(entries: readonly string[]): HostAllowList {
  const exact = new Map<string, Set<number>>();
  const suffixes: Array<{ suffix: string; ports: ReadonlySet<number> }> = [];
  for (const entry of entries) {
    const raw = entry.trim();
    const { name: withWildcard, port } = splitPort(raw);
    const wildcard = withWildcard.startsWith("*.");
    const name = wildcard ? withWildcard.slice(2) : withWildcard;
    const host = normalizeHost(name);
    const ip = isIP(host) !== 0;
    // Host names only: no scheme, path or other wildcards (a path here is a config mistake).
    const malformed =
      /[/\\?#@*\s]/.test(name) ||
      (!ip && (name.includes(":") || !/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(host))) ||
      (ip && wildcard) ||
      (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535));
    if (malformed) {
      throw new RangeError(
        `allowHosts entry is not a host[:port] or *.domain[:port] pattern: ${JSON.stringify(entry)}`,
      );
    }
    const ports = port === undefined ? DEFAULT_PORTS : [port];
    if (wildcard) suffixes.push({ suffix: `.${host}`, ports: new Set(ports) });
    else {
      const known = exact.get(host) ?? new Set<number>();
      for (const p of ports) known.add(p);
      exact.set(host, known);
    }
  }
  return (host, port) => {
    const name = normalizeHost(host);
    if (exact.get(name)?.has(port)) return true;
    return suffixes.some(
      ({ suffix, ports }) => ports.has(port) && name.endsWith(suffix) && name.length > suffix.length,
    );
  };
}
