import assert from "node:assert/strict";
import type { LookupAddress } from "node:dns";
import { after, before, beforeEach, describe, test } from "node:test";
import { GatewayError } from "../../errors.js";
import { callContext, FAST_RESILIENCE, toolCall } from "../testing/calls.js";
import { type FakeWebsite, startFakeWebsite } from "../testing/fakes.js";
import type { ToolConnector, ToolResponse } from "../types.js";
import { createHttpConnector, type HttpToolConfig } from "./http-connector.js";

const fetchCall = (json: unknown, agentId = "agt_a") =>
  toolCall("http", "/fetch", { json, agentId, headers: { authorization: "Bearer agent-token" } });

function envelope(response: ToolResponse) {
  assert.ok(Buffer.isBuffer(response.body));
  return JSON.parse(response.body.toString("utf8")) as {
    url: string;
    status: number;
    headers: Record<string, string>;
    body: string;
    bodyEncoding?: string;
    truncated?: boolean;
  };
}

/** A resolver for made-up names: the fake site's name points at loopback, others at private addresses. */
const NAMES: Record<string, LookupAddress[]> = {
  "site.test": [{ address: "127.0.0.1", family: 4 }],
  "www.site.test": [{ address: "127.0.0.1", family: 4 }],
  "internal.test": [{ address: "10.1.2.3", family: 4 }],
  "mixed.test": [
    { address: "93.184.215.14", family: 4 },
    { address: "192.168.1.10", family: 4 },
  ],
};
const resolveHost = async (host: string) => {
  const found = NAMES[host];
  if (!found) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
  return found;
};

/** The fake site's port, allow-listed beside the default ports once it is known. */
let sitePort = 0;
const config = (overrides: Partial<HttpToolConfig> = {}): HttpToolConfig => ({
  allowHosts: [
    ...["site.test", "*.site.test", "127.0.0.1"].map((host) => `${host}:${sitePort}`),
    ...["site.test", "*.site.test", "internal.test", "mixed.test", "127.0.0.1", "10.0.0.1"],
  ],
  allowPrivate: false,
  maxResponseBytes: 64 * 1024,
  maxRedirects: 3,
  resilience: FAST_RESILIENCE,
  ...overrides,
});

describe("http connector", () => {
  let site: FakeWebsite;
  let port: string;
  let connector: ToolConnector;
  const open: ToolConnector[] = [];
  const make = (overrides: Partial<HttpToolConfig> = {}, exempt = true) => {
    const c = createHttpConnector(config(overrides), {
      resolveHost,
      ...(exempt ? { exemptAddresses: new Set(["127.0.0.1"]) } : {}),
    });
    open.push(c);
    return c;
  };
  before(async () => {
    site = await startFakeWebsite({ largePageBytes: 200 * 1024 });
    port = new URL(site.url).port;
    sitePort = Number(port);
    connector = make();
  });
  beforeEach(() => site.reset());
  after(async () => {
    await Promise.all(open.map((c) => c.close?.()));
    await site.close();
  });

  test("fetches an allow-listed page; the agent's credentials never reach it", async () => {
    const response = await connector.forward(
      fetchCall({ url: `http://site.test:${port}/echo`, headers: { "x-agent": "1", cookie: "c=1" } }),
      callContext(),
    );
    assert.equal(response.status, 200);
    const answer = envelope(response);
    assert.equal(answer.status, 200);
    const echoed = JSON.parse(answer.body);
    assert.equal(echoed.headers["x-agent"], "1");
    assert.equal(echoed.headers.cookie, undefined);
    assert.equal(echoed.headers.authorization, undefined);
    assert.equal(echoed.headers.host, `site.test:${port}`);
  });

  test("policyBody gives url, method, headers, body and the lower-case host", () => {
    assert.deepEqual(
      connector.policyBody(fetchCall({ url: "http://WWW.Site.Test/a?b=1", method: "post", body: "x" })),
      {
        url: "http://www.site.test/a?b=1",
        method: "POST",
        headers: {},
        body: "x",
        host: "www.site.test",
        port: 80,
      },
    );
    assert.throws(
      () => connector.policyBody(fetchCall({ url: "http://site.test/", method: "GET", body: "x" })),
      (e: GatewayError) => e.code === "invalid_request",
    );
    assert.throws(
      () => connector.policyBody(fetchCall({ url: "not a url" })),
      (e: GatewayError) => e.code === "invalid_request",
    );
  });

  const refused =
    (pattern: RegExp, code = "invalid_request") =>
    (e: GatewayError) => {
      assert.equal(e.code, code);
      assert.match(e.detail, pattern);
      return true;
    };

  test("hosts off the allow-list are refused; *.domain matches subdomains only by whole labels", async () => {
    const strict = make({ allowHosts: ["*.example.com"] });
    for (const url of ["http://example.com/", "http://evilexample.com/", "http://example.com.evil.net/"]) {
      await assert.rejects(strict.forward(fetchCall({ url }), callContext()), refused(/not allow-listed/));
    }
    assert.equal(
      (await connector.forward(fetchCall({ url: `http://www.site.test:${port}/page` }), callContext()))
        .status,
      200,
    );
  });

  test("loopback, private, metadata and IPv6 loopback/mapped literals are refused", async () => {
    const any = make(
      {
        allowHosts: [
          `127.0.0.1:${port}`,
          ...["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "::ffff:127.0.0.1", "::ffff:7f00:1"],
        ],
      },
      false,
    );
    for (const url of [
      `http://127.0.0.1:${port}/page`,
      "http://10.0.0.1/",
      "http://169.254.169.254/latest/meta-data/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://2130706433/",
      "http://0177.0.0.1/",
      "http://0x7f.0.0.1/",
    ]) {
      await assert.rejects(any.forward(fetchCall({ url }), callContext()), refused(/not public/), url);
    }
    assert.equal(site.received.length, 0);
  });

  test("a name resolving to a private address is refused at connect time", async () => {
    await assert.rejects(
      connector.forward(fetchCall({ url: "http://internal.test/" }), callContext()),
      refused(/non-public address \(private\)/),
    );
    await assert.rejects(
      connector.forward(fetchCall({ url: "http://mixed.test/" }), callContext()),
      refused(/non-public address/),
    );
  });

  test("redirects are followed and every hop is re-checked", async () => {
    const ok = envelope(
      await connector.forward(
        fetchCall({ url: `http://site.test:${port}/redirect-chain?hops=2` }),
        callContext(),
      ),
    );
    assert.equal(ok.status, 200);
    assert.equal(ok.url, `http://site.test:${port}/page`);

    for (const to of [
      "http://10.0.0.1/",
      "http://internal.test/",
      `http://127.0.0.2:${port}/page`,
      "http://evil.example/",
    ]) {
      await assert.rejects(
        connector.forward(
          fetchCall({ url: `http://site.test:${port}/redirect?to=${encodeURIComponent(to)}` }),
          callContext(),
        ),
        refused(/not allow-listed|not public|non-public/, "upstream_error"),
        to,
      );
    }
    await assert.rejects(
      connector.forward(fetchCall({ url: `http://site.test:${port}/redirect-chain?hops=5` }), callContext()),
      refused(/more than 3 redirects/, "upstream_error"),
    );
  });

  test("only allow-listed ports: a host without a port allows 80 and 443", async () => {
    await assert.rejects(
      connector.forward(fetchCall({ url: "http://internal.test:8080/" }), callContext()),
      refused(/internal.test:8080 is not allow-listed/),
    );
    await assert.rejects(
      connector.forward(
        fetchCall({
          url: `http://site.test:${port}/redirect?to=${encodeURIComponent("http://site.test:22/")}`,
        }),
        callContext(),
      ),
      refused(/site.test:22 is not allow-listed/, "upstream_error"),
    );
  });

  test("every redirect hop is put to the policy; a denied hop stops the fetch before it is sent", async () => {
    const asked: unknown[] = [];
    const answer = envelope(
      await connector.forward(
        fetchCall({
          url: `http://site.test:${port}/redirect?to=${encodeURIComponent(`http://www.site.test:${port}/echo`)}`,
          headers: { "x-agent": "1" },
        }),
        callContext({
          authorizeHop: async (body) => {
            asked.push(body);
            return { block_patterns: ["www\\.site\\.test"] };
          },
        }),
      ),
    );
    assert.deepEqual(asked, [
      {
        url: `http://www.site.test:${port}/echo`,
        method: "GET",
        headers: {},
        body: null,
        host: "www.site.test",
        port: Number(port),
        redirect: {
          from: `http://site.test:${port}/redirect?to=${encodeURIComponent(`http://www.site.test:${port}/echo`)}`,
          status: 302,
          hop: 1,
        },
      },
    ]);
    const echoed = JSON.parse(answer.body);
    assert.equal(echoed.headers["x-agent"], undefined, "the agent's headers stay with the first origin");
    assert.match(answer.body, /\[blocked\]/, "the hop's obligations apply to the answer");

    site.reset();
    const denied = new GatewayError("policy_denied", "host www.site.test is not on the allow-list");
    await assert.rejects(
      connector.forward(
        fetchCall({
          url: `http://site.test:${port}/redirect?to=${encodeURIComponent(`http://www.site.test:${port}/page`)}`,
        }),
        callContext({
          authorizeHop: async () => {
            throw denied;
          },
        }),
      ),
      (e: unknown) => e === denied,
    );
    assert.deepEqual(
      site.received.map((r) => r.path),
      ["/redirect"],
      "the denied hop was never requested",
    );
  });

  test("redirected fetches are not cached: the next fetch asks the policy again", async () => {
    let asked = 0;
    const ctx = () =>
      callContext({
        authorizeHop: async () => {
          asked++;
          return {};
        },
      });
    const url = `http://site.test:${port}/redirect?to=/page`;
    await connector.forward(fetchCall({ url }), ctx());
    const again = await connector.forward(fetchCall({ url }), ctx());
    assert.equal(again.cached, undefined);
    assert.equal(asked, 2);
  });

  test("allowPrivate lets loopback through and reports it", async () => {
    const seen: string[] = [];
    const open2 = createHttpConnector(config({ allowPrivate: true }), {
      resolveHost,
      onPrivateAddress: (info) => seen.push(`${info.host} ${info.reason}`),
    });
    open.push(open2);
    const answer = envelope(
      await open2.forward(fetchCall({ url: `http://site.test:${port}/page` }), callContext()),
    );
    assert.equal(answer.status, 200);
    assert.deepEqual(seen, ["site.test loopback"]);
  });

  test("large answers are cut at maxResponseBytes and flagged; JSON comes back as text", async () => {
    const big = envelope(
      await connector.forward(fetchCall({ url: `http://site.test:${port}/large` }), callContext()),
    );
    assert.equal(big.truncated, true);
    assert.equal(big.body.length, 64 * 1024);
    const json = envelope(
      await connector.forward(fetchCall({ url: `http://site.test:${port}/json` }), callContext()),
    );
    assert.deepEqual(JSON.parse(json.body).items, [1, 2, 3]);
    assert.equal(json.bodyEncoding, undefined);
  });

  test("GET fetches are cached per agent; POSTs are not", async () => {
    const url = `http://site.test:${port}/page`;
    await connector.forward(fetchCall({ url }), callContext());
    const again = await connector.forward(fetchCall({ url }), callContext());
    assert.equal(again.cached, true);
    assert.equal(site.received.length, 1);
    await connector.forward(fetchCall({ url }, "agt_other"), callContext());
    assert.equal(site.received.length, 2);
    await connector.forward(
      fetchCall({ url: `http://site.test:${port}/echo`, method: "POST", body: "a" }),
      callContext(),
    );
    await connector.forward(
      fetchCall({ url: `http://site.test:${port}/echo`, method: "POST", body: "a" }),
      callContext(),
    );
    assert.equal(site.received.length, 4);
  });

  test("a slow site times out (504)", async () => {
    const slow = make({ resilience: { ...FAST_RESILIENCE, retries: 0, timeoutMs: 200 } });
    await assert.rejects(
      slow.forward(fetchCall({ url: `http://site.test:${port}/slow?ms=2000` }), callContext()),
      (e: GatewayError) => e.code === "upstream_timeout",
    );
  });

  test("obligations apply to the fetched body inside the answer", async () => {
    const response = await connector.forward(
      fetchCall({ url: `http://site.test:${port}/page` }),
      callContext({ obligations: { block_patterns: ["Hello from"], redact: ["/headers"] } }),
    );
    const answer = envelope(response);
    assert.match(answer.body, /\[blocked\] the fake website/);
    assert.equal(answer.headers, undefined);
  });
});
