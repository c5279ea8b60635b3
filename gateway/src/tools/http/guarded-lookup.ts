// DNS for the http tool's connections. undici hands this lookup to net/tls.connect, so the address checked
// here is exactly the address the socket connects to: the name is resolved once, every answer is checked,
// and a name with any non-public answer is refused (no DNS-rebinding window between check and connect).

import type { LookupAddress } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import type { LookupFunction } from "node:net";
import { GatewayError } from "../../errors.js";
import { forbiddenReason } from "./address-policy.js";

/** Resolves a host name to its addresses (tests inject a fake resolver). */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface GuardedLookupOptions {
  resolve?: ResolveHost;
  /** Let private and loopback addresses through (tests only); each use is reported to `onPrivate`. */
  allowPrivate: boolean;
  /** Exact addresses treated as public (tests: the loopback fake behind a made-up name). */
  exemptAddresses?: ReadonlySet<string>;
  onPrivate?(info: { host: string; address: string; reason: string }): void;
}

/** The error a refused destination raises inside the socket; toUpstreamFailure reports its `refusal`. */
export class DestinationRefused extends Error {
  readonly code = "EDESTINATIONREFUSED";
  constructor(readonly refusal: GatewayError) {
    super(refusal.detail);
  }
}

/** Why `address` may not be reached under these options, or undefined. */
export function addressRefusal(
  address: string,
  options: GuardedLookupOptions,
  host: string,
): string | undefined {
  if (options.exemptAddresses?.has(address)) return undefined;
  const reason = forbiddenReason(address);
  if (reason === undefined) return undefined;
  if (options.allowPrivate) {
    options.onPrivate?.({ host, address, reason });
    return undefined;
  }
  return reason;
}

export function createGuardedLookup(options: GuardedLookupOptions): LookupFunction {
  const resolve = options.resolve ?? systemResolver;
  return (hostname, lookupOptions, callback) => {
    resolve(hostname)
      .then((addresses) => {
        if (addresses.length === 0) throw Object.assign(new Error("no addresses"), { code: "ENOTFOUND" });
        for (const { address } of addresses) {
          const reason = addressRefusal(address, options, hostname);
          if (reason !== undefined) {
            throw new DestinationRefused(
              new GatewayError("invalid_request", `${hostname} resolves to a non-public address (${reason})`),
            );
          }
        }
        const family =
          lookupOptions.family === 6 || lookupOptions.family === "IPv6"
            ? 6
            : lookupOptions.family === 4 || lookupOptions.family === "IPv4"
              ? 4
              : 0;
        const usable = family === 0 ? addresses : addresses.filter((a) => a.family === family);
        if (usable.length === 0)
          throw Object.assign(new Error("no address of that family"), { code: "ENOTFOUND" });
        if (lookupOptions.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      })
      .catch((error: NodeJS.ErrnoException) => callback(error, "", 0));
  };
}
