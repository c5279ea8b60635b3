// Property tests (fast-check) for the http tool's SSRF defence: every textual form of a private,
// loopback or otherwise non-public address is refused, whichever way it reaches the classifier:
//   - as the URL an agent sends (WHATWG parsing turns 0x7f.1, 2130706433, 0177.0.0.1 … into 127.0.0.1,
//     then checkDestination judges the literal), and
//   - as an address a DNS answer gives (guarded lookup: the socket connects only where the check looked).
// The classifier is compared with an independent oracle: the IANA special-purpose ranges written
// here as plain numbers, so a range dropped from address-policy.ts (or mis-typed) is caught.
import assert from "node:assert/strict";
import type { LookupAddress } from "node:dns";
import { test } from "node:test";
import fc from "fast-check";
import { GatewayError } from "../../errors.js";
import { forbiddenReason } from "./address-policy.js";
import { checkDestination } from "./fetch-request.js";
import { createGuardedLookup, DestinationRefused } from "./guarded-lookup.js";

/** IPv4 ranges no agent may reach, as [first octets, prefix length]: the oracle. */
const FORBIDDEN_V4: Array<[number, number]> = [
  [ip4(0, 0, 0, 0), 8],
  [ip4(10, 0, 0, 0), 8],
  [ip4(100, 64, 0, 0), 10],
  [ip4(127, 0, 0, 0), 8],
  [ip4(169, 254, 0, 0), 16],
  [ip4(172, 16, 0, 0), 12],
  [ip4(192, 0, 0, 0), 24],
  [ip4(192, 0, 2, 0), 24],
  [ip4(192, 88, 99, 0), 24],
  [ip4(192, 168, 0, 0), 16],
  [ip4(198, 18, 0, 0), 15],
  [ip4(198, 51, 100, 0), 24],
  [ip4(203, 0, 113, 0), 24],
  [ip4(224, 0, 0, 0), 4],
  [ip4(240, 0, 0, 0), 4],
];

function ip4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function inRange(value: number, [network, prefix]: [number, number]): boolean {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (value & mask) >>> 0 === network;
}

const oracleForbidden = (value: number) => FORBIDDEN_V4.some((range) => inRange(value, range));

const octets = (v: number) => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff] as const;
const dotted = (v: number) => octets(v).join(".");
const hex16 = (v: number) => [(v >>> 16).toString(16), (v & 0xffff).toString(16)].join(":");

/** Any address inside one of the forbidden IPv4 ranges. */
const forbiddenV4 = fc
  .tuple(fc.constantFrom(...FORBIDDEN_V4), fc.nat({ max: 0xffffffff }))
  .map(([[network, prefix], noise]) => {
    const hostBits = prefix === 32 ? 0 : (noise & (0xffffffff >>> prefix)) >>> 0;
    return (network | hostBits) >>> 0;
  });
const anyV4 = fc.nat({ max: 0xffffffff });

/**
 * Every way a URL host can spell an IPv4 address that WHATWG URL parsing accepts: dotted, one
 * 32-bit number, hex, octal, per-octet mixed bases, the short a.b.c / a.b forms, a trailing dot.
 */
const urlSpellingsOfV4 = (v: number) => {
  const [a, b, c, d] = octets(v);
  const base = (n: number, kind: number) =>
    kind === 0 ? String(n) : kind === 1 ? `0x${n.toString(16)}` : `0${n.toString(8)}`;
  return fc
    .constantFrom(0, 1, 2)
    .chain((kind) =>
      fc.constantFrom(
        dotted(v),
        `${dotted(v)}.`,
        String(v),
        `0x${v.toString(16)}`,
        `0X${v.toString(16).toUpperCase()}`,
        `0${v.toString(8)}`,
        [a, b, c, d].map((n, i) => base(n, (kind + i) % 3)).join("."),
        `${base(a, kind)}.${base(b, kind)}.${base((c << 8) | d, kind)}`,
        `${base(a, kind)}.${base(((b << 16) | (c << 8) | d) >>> 0, kind)}`,
      ),
    );
};

/** IPv6 spellings that carry an IPv4 address a gateway would end up reaching (or that alias it). */
const v6SpellingsOfV4 = (v: number) =>
  fc.constantFrom(
    `::ffff:${dotted(v)}`,
    `::FFFF:${hex16(v)}`,
    `0:0:0:0:0:ffff:${hex16(v)}`,
    `0000:0000:0000:0000:0000:ffff:${dotted(v)}`,
    `::${dotted(v)}`,
    `::${hex16(v)}`,
    `64:ff9b::${dotted(v)}`,
    `64:ff9b::${hex16(v)}`,
    `64:ff9b:1::${hex16(v)}`,
    `2002:${hex16(v)}::`,
    `2002:${hex16(v)}:1:2:3:4:5`,
  );

/** Non-public IPv6 that embeds no IPv4 address: loopback spelt long, ULA, link-local, multicast… */
const forbiddenV6 = fc.oneof(
  fc.constantFrom("::1", "0:0:0:0:0:0:0:1", "0000:0000:0000:0000:0000:0000:0000:0001", "::0:1", "::", "0::0"),
  fc
    .tuple(
      fc.constantFrom(0xfc00, 0xfd00, 0xfe80, 0xfebf, 0xfec0, 0xff02, 0xff0e),
      fc.array(fc.nat({ max: 0xffff }), { minLength: 7, maxLength: 7 }),
    )
    .map(([first, rest]) => [first, ...rest].map((g) => g.toString(16)).join(":")),
);

const withZone = (address: string) =>
  fc.constantFrom(address, `${address}%eth0`, `${address}%25lo`, `[${address}]`, address.toUpperCase());

const ALLOW_ALL = () => true;
const GUARD = { allowPrivate: false };

/** True when the http tool refuses to fetch this URL (parse failure or destination check). */
function urlRefused(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return true; // never fetched
  }
  try {
    checkDestination(parsed, ALLOW_ALL, GUARD, "invalid_request");
    return false;
  } catch (error) {
    assert.ok(error instanceof GatewayError, `unexpected ${String(error)}`);
    return true;
  }
}

/** Resolves a name to `address` through the guarded lookup, as a socket would. */
function lookupRefused(address: string): Promise<boolean> {
  const resolve = async (): Promise<LookupAddress[]> => [{ address, family: address.includes(":") ? 6 : 4 }];
  const lookup = createGuardedLookup({ ...GUARD, resolve });
  return new Promise((done) => {
    lookup("victim.example", { all: true }, (error) => done(error instanceof DestinationRefused));
  });
}

test("the classifier agrees with the oracle on every IPv4 address, plain and IPv4-mapped", () => {
  fc.assert(
    fc.property(fc.oneof(forbiddenV4, anyV4), (v) => {
      const expected = oracleForbidden(v);
      assert.equal(forbiddenReason(dotted(v)) !== undefined, expected, dotted(v));
      assert.equal(forbiddenReason(`::ffff:${dotted(v)}`) !== undefined, expected, `::ffff:${dotted(v)}`);
      assert.equal(forbiddenReason(`::ffff:${hex16(v)}`) !== undefined, expected, `::ffff:${hex16(v)}`);
    }),
    { numRuns: 2000 },
  );
});

test("a URL naming a non-public IPv4 address in any spelling is refused", () => {
  fc.assert(
    fc.property(
      forbiddenV4.chain((v) => urlSpellingsOfV4(v)),
      fc.constantFrom("http", "https"),
      fc.constantFrom("", ":80", ":443", ":8080"),
      (host, scheme, port) => {
        assert.ok(urlRefused(`${scheme}://${host}${port}/latest/meta-data`), `${scheme}://${host}${port}`);
      },
    ),
    { numRuns: 1500 },
  );
});

test("a URL naming an IPv6 form of a non-public address is refused", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        forbiddenV4.chain(v6SpellingsOfV4),
        anyV4.chain((v) => fc.constantFrom(`::${dotted(v)}`, `64:ff9b::${hex16(v)}`, `2002:${hex16(v)}::`)),
        forbiddenV6,
      ),
      (address) => {
        assert.ok(urlRefused(`http://[${address}]/`), address);
      },
    ),
    { numRuns: 1500 },
  );
});

test("every textual form of a non-public address is refused by the classifier, zone ids included", () => {
  fc.assert(
    fc.property(
      fc.oneof(forbiddenV4.map(dotted), forbiddenV4.chain(v6SpellingsOfV4), forbiddenV6).chain(withZone),
      (address) => {
        assert.notEqual(forbiddenReason(address), undefined, address);
      },
    ),
    { numRuns: 1500 },
  );
});

test("a host name whose DNS answer is a non-public address is refused at connect time", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(forbiddenV4.map(dotted), forbiddenV4.chain(v6SpellingsOfV4), forbiddenV6),
      async (address) => {
        assert.ok(await lookupRefused(address), address);
      },
    ),
    { numRuns: 500 },
  );
});

test("public addresses stay reachable (the defence is not a blanket refusal)", async () => {
  const publicV4 = anyV4.filter((v) => !oracleForbidden(v));
  await fc.assert(
    fc.asyncProperty(publicV4, async (v) => {
      assert.equal(urlRefused(`https://${dotted(v)}/`), false, dotted(v));
      assert.equal(await lookupRefused(dotted(v)), false, dotted(v));
    }),
    { numRuns: 500 },
  );
});
