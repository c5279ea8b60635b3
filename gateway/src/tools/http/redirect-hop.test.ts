import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatewayError } from "../../errors.js";
import { createHostAllowList } from "./host-allow-list.js";
import { type HopRequest, redirectHop } from "./redirect-hop.js";

const allowList = createHostAllowList(["a.example", "b.example", "*.c.example", "d.example:8443"]);
const guard = { allowPrivate: false };
const request = (url: string, extra: Partial<HopRequest> = {}): HopRequest => ({
  url: new URL(url),
  method: "GET",
  headers: { "x-agent-key": "secret", accept: "text/html" },
  body: null,
  ...extra,
});
const refused = (pattern: RegExp) => (error: unknown) =>
  error instanceof GatewayError && error.code === "upstream_error" && pattern.test(error.detail);

describe("redirectHop", () => {
  it("keeps the agent's headers on the same origin, and drops them for another", () => {
    const same = redirectHop(request("https://a.example/x"), 302, "/y#frag", allowList, guard);
    assert.equal(same.url.href, "https://a.example/y");
    assert.equal(same.headers["x-agent-key"], "secret");
    const other = redirectHop(request("https://a.example/x"), 302, "https://b.example/y", allowList, guard);
    assert.deepEqual(other.headers, {});
    assert.equal(other.url.href, "https://b.example/y");
  });

  it("refuses https to plain http, even on the same host", () => {
    assert.throws(
      () => redirectHop(request("https://a.example/x"), 301, "http://a.example/x", allowList, guard),
      refused(/https to plain http/),
    );
    assert.equal(
      redirectHop(request("http://a.example/"), 301, "https://a.example/", allowList, guard).url.protocol,
      "https:",
    );
  });

  it("refuses hosts and ports off the allow-list", () => {
    for (const to of [
      "https://evil.example/",
      "https://a.example:8443/",
      "http://a.example:22/",
      "https://d.example/",
    ]) {
      assert.throws(
        () => redirectHop(request("https://a.example/"), 302, to, allowList, guard),
        refused(/not allow-listed/),
        to,
      );
    }
    assert.equal(
      redirectHop(request("https://a.example/"), 302, "https://d.example:8443/", allowList, guard).url.port,
      "8443",
    );
  });

  it("a body never follows a redirect to another origin; 303 and POST 301/302 become GET without one", () => {
    const post = request("https://a.example/form", {
      method: "POST",
      body: "secret=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.throws(
      () => redirectHop(post, 307, "https://b.example/form", allowList, guard),
      refused(/resend the request body/),
    );
    assert.throws(
      () => redirectHop(post, 308, "https://b.example/form", allowList, guard),
      refused(/resend the request body/),
    );
    const kept = redirectHop(post, 307, "/other", allowList, guard);
    assert.equal(kept.method, "POST");
    assert.equal(kept.body, "secret=1");
    const seeOther = redirectHop(post, 303, "https://b.example/done", allowList, guard);
    assert.deepEqual([seeOther.method, seeOther.body, seeOther.headers], ["GET", null, {}]);
    const moved = redirectHop(post, 302, "/done", allowList, guard);
    assert.deepEqual([moved.method, moved.body, moved.headers["content-type"]], ["GET", null, undefined]);
  });

  it("refuses invalid targets and private address literals", () => {
    assert.throws(
      () => redirectHop(request("https://a.example/"), 302, "http://[::1", allowList, guard),
      refused(/invalid URL/),
    );
    assert.throws(
      () => redirectHop(request("https://a.example/"), 302, "file:///etc/passwd", allowList, guard),
      refused(/only http and https/),
    );
  });
});
