// Which IP addresses the http tool may connect to: public unicast only. Everything an attacker could use to
// reach the gateway's own network is refused: loopback, private (RFC 1918), carrier-grade NAT, link-local
// and the cloud metadata addresses, unspecified, multicast, reserved and documentation ranges, IPv6 ULA,
// and IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo).
import { BlockList, isIPv4, isIPv6 } from "node:net";

const V4_RANGES: Array<[string, number, string]> = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared (carrier-grade NAT)"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local (cloud metadata)"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];

const V6_RANGES: Array<[string, number, string]> = [
  ["::", 96, "IPv4-compatible"], // also :: (unspecified) and ::1 (loopback), named below
  ["64:ff9b::", 96, "NAT64"],
  ["64:ff9b:1::", 48, "NAT64"],
  ["100::", 64, "discard"],
  ["2001::", 32, "Teredo"],
  ["2001:db8::", 32, "documentation"],
  ["2002::", 16, "6to4"],
  ["fc00::", 7, "unique local"],
  ["fe80::", 10, "link-local"],
  ["fec0::", 10, "site-local"],
  ["ff00::", 8, "multicast"],
];

function blockList(ranges: Array<[string, number, string]>, family: "ipv4" | "ipv6") {
  return ranges.map(([network, prefix, reason]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, family);
    return { list, reason };
  });
}

const V4 = blockList(V4_RANGES, "ipv4");
const V6 = blockList(V6_RANGES, "ipv6");

/** The 16 bytes of an IPv6 address (with or without an embedded dotted quad). */
function ipv6Bytes(address: string): number[] {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.flatMap((g) => {
    const n = Number.parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

/** Why an address may not be reached, or undefined when it is public. Not an IP address → "not an IP". */
export function forbiddenReason(rawAddress: string): string | undefined {
  const address = rawAddress.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (isIPv4(address)) return V4.find(({ list }) => list.check(address, "ipv4"))?.reason;
  if (!isIPv6(address)) return "not an IP address";
  const bytes = ipv6Bytes(address);
  if (bytes.every((b) => b === 0)) return "unspecified";
  if (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return "loopback";
  // ::ffff:a.b.c.d reaches the IPv4 host a.b.c.d: judge it as that address.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    const v4 = bytes.slice(12).join(".");
    const reason = forbiddenReason(v4);
    return reason === undefined ? undefined : `IPv4-mapped ${reason}`;
  }
  return V6.find(({ list }) => list.check(address, "ipv6"))?.reason;
}
