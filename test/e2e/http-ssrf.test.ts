// The http tool is SSRF-safe (issue 6): hosts must be allow-listed AND resolve to public
// addresses. Every private, loopback, link-local and metadata form is refused, including
// the ones that hide an address (decimal, octal, IPv4-mapped IPv6, a DNS name).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type RegisteredAgent, registerAgent, signedCall } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { allowAllPolicy, policyFolder } from "../support/policies.js";
import { getToken } from "../support/tokens.js";

let gw: GatewayProcess;
let agent: RegisteredAgent;
let token: string;

before(async () => {
  gw = await startGateway({
    env: {
      // Allow-listed on purpose, so what refuses them is the address check, not the list.
      AGENTGW_HTTP_ALLOW_HOSTS:
        "127.0.0.1,10.1.2.3,169.254.169.254,::1,::ffff:7f00:1,localhost,192.168.1.10,172.16.0.5,100.64.0.1,fd00::1,0.0.0.0",
      AGENTGW_POLICY: policyFolder(allowAllPolicy()),
    },
  });
  agent = await registerAgent(gw);
  token = (await getToken(gw, agent.key, { tool: "http", scopes: ["http:fetch"] })).token;
});
after(async () => {
  await gw.stop();
  gw.cleanup();
});

const fetchVia = (url: string) =>
  signedCall(gw.url, agent.key, {
    path: "/v1/tools/http/fetch",
    json: { url },
    headers: { authorization: `Bearer ${token}` },
  });

describe("refused destinations", () => {
  const cases: Array<[string, string]> = [
    ["loopback", "http://127.0.0.1/"],
    ["10/8", "http://10.1.2.3/"],
    ["192.168/16", "http://192.168.1.10/"],
    ["172.16/12", "http://172.16.0.5/"],
    ["carrier-grade NAT 100.64/10", "http://100.64.0.1/"],
    ["cloud metadata 169.254.169.254", "http://169.254.169.254/latest/meta-data/"],
    ["IPv6 loopback [::1]", "http://[::1]/"],
    ["IPv4-mapped IPv6 ::ffff:127.0.0.1", "http://[::ffff:127.0.0.1]/"],
    ["IPv6 unique-local", "http://[fd00::1]/"],
    ["the unspecified address", "http://0.0.0.0/"],
    ["decimal IPv4 (2130706433 = 127.0.0.1)", "http://2130706433/"],
    ["octal IPv4 (0177.0.0.1 = 127.0.0.1)", "http://0177.0.0.1/"],
    ["hex IPv4 (0x7f.1 = 127.0.0.1)", "http://0x7f.1/"],
    ["a DNS name resolving to a private address", "http://localhost/"],
  ];
  for (const [name, url] of cases) {
    it(name, async () => {
      const res = await fetchVia(url);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.code, "invalid_request");
      assert.match(res.body.detail, /not public|non-public/);
    });
  }
  it("hosts that are not allow-listed, with subdomain matching by whole labels", async () => {
    for (const url of [
      "http://example.net/",
      "http://evil127.0.0.1.nip.io/",
      "http://169.254.169.254.evil.test/",
    ]) {
      const res = await fetchVia(url);
      assert.equal(res.status, 400, url);
      assert.match(res.body.detail, /not allow-listed/);
    }
  });
  it("non-http schemes and URLs with credentials", async () => {
    for (const url of ["file:///etc/passwd", "gopher://127.0.0.1/", "http://user:pw@127.0.0.1/"]) {
      const res = await fetchVia(url);
      assert.equal(res.status, 400, url);
      assert.equal(res.body.code, "invalid_request");
    }
  });
});
