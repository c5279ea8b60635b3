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
  assert.equal(allowed("API.Example.com.", 443), true);
  assert.equal(allowed("example.com", 443), false);
  assert.equal(allowed("a.b.example.org", 80), true);
  assert.equal(allowed("example.org", 443), false);
  assert.equal(allowed("evilexample.org", 443), false);
  assert.equal(allowed("example.org.evil.net", 443), false);
  assert.equal(allowed("xn--bcher-kva.example", 443), true);
  assert.equal(allowed("10.0.0.1", 80), true);
  for (const bad of [
    "example.com:0",
    "example.com:99999",
    "example.com:x",
    "http://example.com",
    "*",
    "*.10.0.0.1",
    "a/b",
  ]) {
    assert.throws(() => createHostAllowList([bad]), RangeError, bad);
  }
});

test("an entry without a port allows 80 and 443 only; an entry with one allows that port only", () => {
  const allowed = createHostAllowList([
    "api.example.com",
    "admin.example.com:8443",
    "*.example.net:8080",
    "[::1]:9000",
    "::2",
  ]);
  assert.equal(allowed("api.example.com", 80), true);
  assert.equal(allowed("api.example.com", 443), true);
  assert.equal(allowed("api.example.com", 22), false);
  assert.equal(allowed("api.example.com", 8443), false);
  assert.equal(allowed("admin.example.com", 8443), true);
  assert.equal(allowed("admin.example.com", 443), false);
  assert.equal(allowed("a.example.net", 8080), true);
  assert.equal(allowed("a.example.net", 443), false);
  assert.equal(allowed("::1", 9000), true);
  assert.equal(allowed("[::1]", 9000), true);
  assert.equal(allowed("::1", 443), false);
  assert.equal(allowed("::2", 443), true);
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
