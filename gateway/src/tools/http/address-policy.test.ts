import assert from "node:assert/strict";
import { test } from "node:test";
import { forbiddenReason } from "./address-policy.js";
import { decodeBody } from "./decode-body.js";
import { createHostAllowList } from "./host-allow-list.js";

test("non-public addresses are refused with a reason; public ones pass", () => {
  const refused: Record<string, RegExp> = {
    "127.0.0.1": /loopback/,
    "10.20.30.40": /private/,
    "172.31.255.255": /private/,
    "192.168.0.1": /private/,
    "100.64.0.1": /carrier-grade/,
    "169.254.169.254": /link-local/,
    "0.0.0.0": /unspecified/,
    "224.0.0.1": /multicast/,
    "255.255.255.255": /reserved/,
    "::": /unspecified/,
    "::1": /loopback/,
    "[::1]": /loopback/,
    "::ffff:127.0.0.1": /IPv4-mapped loopback/,
    "::ffff:7f00:1": /IPv4-mapped loopback/,
    "::ffff:a9fe:a9fe": /IPv4-mapped link-local/,
    "::127.0.0.1": /IPv4-compatible/,
    "64:ff9b::7f00:1": /NAT64/,
    "fd00:ec2::254": /unique local/,
    "fc00::1": /unique local/,
    "fe80::1%eth0": /link-local/,
    "ff02::1": /multicast/,
    "2002:7f00:1::": /6to4/,
    "example.com": /not an IP/,
  };
  for (const [address, reason] of Object.entries(refused)) {
    assert.match(forbiddenReason(address) ?? "(allowed)", reason, address);
  }
  for (const address of ["93.184.215.14", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8"]) {
    assert.equal(forbiddenReason(address), undefined, address);
  }
});

test("the allow-list matches exact hosts and subdomains of *.domain by whole labels", () => {
  const allowed = createHostAllowList(["api.example.com", "*.example.org", "Bücher.example", "10.0.0.1"]);
  assert.equal(allowed("API.Example.com."), true);
  assert.equal(allowed("example.com"), false);
  assert.equal(allowed("a.b.example.org"), true);
  assert.equal(allowed("example.org"), false);
  assert.equal(allowed("evilexample.org"), false);
  assert.equal(allowed("example.org.evil.net"), false);
  assert.equal(allowed("xn--bcher-kva.example"), true);
  assert.equal(allowed("10.0.0.1"), true);
  for (const bad of ["example.com:8080", "http://example.com", "*", "*.10.0.0.1", "a/b"]) {
    assert.throws(() => createHostAllowList([bad]), RangeError, bad);
  }
});

test("bodies decode as text by charset, else base64", () => {
  assert.deepEqual(decodeBody(Buffer.from("héllo"), "text/plain; charset=utf-8"), { body: "héllo" });
  assert.deepEqual(decodeBody(Buffer.from([0xe9]), "text/plain; charset=iso-8859-1"), { body: "é" });
  assert.deepEqual(decodeBody(Buffer.from([0x89, 0x50, 0x4e, 0x47]), "image/png"), {
    body: "iVBORw==",
    bodyEncoding: "base64",
  });
  assert.equal(decodeBody(Buffer.from([0xff, 0xfe, 0x00]), undefined).bodyEncoding, "base64");
});
