// Redirects cannot escape the policy (issue 11, point 2): every hop of an http tool fetch is decided by
// the policy like the first request (and recorded), the agent's headers and body never cross to another
// origin, https never drops to plain http, and only allow-listed ports are reached (an entry without a port allows 80 and 443). Also (point 6)
// the http tool's circuit breaker is per origin: an allow-listed host on a closed port pauses only itself.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type AllFakes, startAllFakes } from "../fakes/index.js";
import { assertProblemShape, type RegisteredAgent, registerAgent, signedCall } from "../support/agents.js";
import { type GatewayProcess, startGateway } from "../support/gateway-process.js";
import { policyFolder } from "../support/policies.js";
import { getToken } from "../support/tokens.js";

// The policy forbids the path /forbidden on any host, wherever the URL comes from: the agent or a redirect.
const POLICY = `package agentgw

deny contains "this URL is forbidden" if {
	input.tool == "http"
	contains(input.request.body.url, "/forbidden")
}

decision := {"allow": count(deny) == 0, "reasons": [r | some r in deny]}
`;

let fakes: AllFakes;
let gw: GatewayProcess;
let agent: RegisteredAgent;
let token: string;
let site: URL;
let closed: number;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

before(async () => {
  fakes = await startAllFakes();
  site = new URL(fakes.website.url);
  closed = await closedPort();
  gw = await startGateway({
    env: {
      ...fakes.env,
      AGENTGW_POLICY: policyFolder(POLICY),
      // Two names for the fake site (two origins), on its port only; and a closed port of the same host.
      AGENTGW_HTTP_ALLOW_HOSTS: `127.0.0.1:${site.port},localhost:${site.port},127.0.0.1:${closed}`,
    },
  });
  agent = await registerAgent(gw);
  token = (await getToken(gw, agent.key, { tool: "http", scopes: ["http:fetch"] })).token;
});
after(async () => {
  await gw.stop();
  gw.cleanup();
  await fakes.close();
});

const fetchVia = (json: Record<string, unknown>, who = agent, bearer = token) =>
  signedCall(gw.url, who.key, {
    path: "/v1/tools/http/fetch",
    json,
    headers: { authorization: `Bearer ${bearer}` },
  });

const redirect = (to: string, status = 302) =>
  `http://127.0.0.1:${site.port}/redirect?status=${status}&to=${encodeURIComponent(to)}`;

describe("redirect hops", () => {
  it("a hop to a URL the policy forbids is denied (403 policy_denied) and never requested", async () => {
    fakes.website.reset();
    const res = await fetchVia({ url: redirect(`http://localhost:${site.port}/forbidden`) });
    assertProblemShape(res, 403, "policy_denied");
    assert.deepEqual(res.body.reasons, ["this URL is forbidden"]);
    assert.deepEqual(
      fakes.website.received.map((r) => r.path),
      ["/redirect"],
      "only the first request reached the site",
    );
    const decisions = await gw.admin("GET", `/admin/decisions?agentId=${agent.id}&tool=http&limit=2`);
    const [hop, first] = decisions.body.items;
    assert.equal(first.allow, true);
    assert.equal(hop.allow, false, "the hop's decision is recorded");
    assert.equal(hop.input.request.body.host, "localhost");
    assert.equal(hop.input.request.body.redirect.status, 302);
    assert.equal(hop.requestId, first.requestId);
  });

  it("the agent's headers do not follow a redirect to another origin, and do on the same origin", async () => {
    const headers = { "x-secret": "for 127.0.0.1 only" };
    const other = await fetchVia({ url: redirect(`http://localhost:${site.port}/echo`), headers });
    assert.equal(other.status, 200, JSON.stringify(other.body));
    assert.equal(other.body.url, `http://localhost:${site.port}/echo`);
    assert.equal(JSON.parse(other.body.body).headers["x-secret"], undefined);
    const same = await fetchVia({ url: redirect("/echo"), headers });
    assert.equal(JSON.parse(same.body.body).headers["x-secret"], "for 127.0.0.1 only");
  });

  it("a 307 that would resend the body to another origin is refused", async () => {
    fakes.website.reset();
    const res = await fetchVia({
      url: redirect(`http://localhost:${site.port}/echo`, 307),
      method: "POST",
      body: "password=hunter2",
    });
    assertProblemShape(res, 502, "upstream_error");
    assert.match(res.body.detail, /resend the request body/);
    assert.equal(fakes.website.received.filter((r) => r.path === "/echo").length, 0);
  });

  it("only allow-listed ports: the first URL and every hop", async () => {
    const direct = await fetchVia({ url: `http://localhost:${closed}/` });
    assertProblemShape(direct, 400, "invalid_request");
    assert.match(direct.body.detail, new RegExp(`localhost:${closed} is not allow-listed`));
    const hop = await fetchVia({ url: redirect(`http://localhost:${closed}/`) });
    assertProblemShape(hop, 502, "upstream_error");
    assert.match(hop.body.detail, /not allow-listed/);
    const defaultPort = await fetchVia({ url: "http://localhost/" });
    assertProblemShape(defaultPort, 400, "invalid_request");
  });
});

describe("circuit breakers per origin (point 6)", () => {
  it("fetches to an allow-listed closed port open that origin's breaker only", async () => {
    const prober = await registerAgent(gw);
    const probeToken = (await getToken(gw, prober.key, { tool: "http", scopes: ["http:fetch"] })).token;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await fetchVia({ url: `http://127.0.0.1:${closed}/` }, prober, probeToken)).status);
    }
    assert.equal(statuses.at(-1), 503, `the closed origin's breaker opened: ${statuses.join(",")}`);
    const res = await fetchVia({ url: `http://127.0.0.1:${site.port}/page` });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });
});

describe("https never redirects to plain http", () => {
  let tlsGw: GatewayProcess;
  let secure: HttpsServer;
  let securePort: number;
  let tlsAgent: RegisteredAgent;
  let tlsToken: string;

  before(async () => {
    // A throwaway certificate for localhost, trusted by this gateway process only.
    const dir = mkdtempSync(join(tmpdir(), "agentgw-tls-"));
    const made = spawnSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost",
    ]);
    assert.equal(made.status, 0, `openssl: ${made.stderr}`);
    secure = createHttpsServer(
      { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) },
      (req, res) => {
        if (req.url === "/ok") res.writeHead(200, { "content-type": "text/plain" }).end("secure");
        else res.writeHead(302, { location: `http://localhost:${site.port}/echo` }).end();
      },
    );
    await new Promise<void>((resolve) => secure.listen(0, "127.0.0.1", resolve));
    const address = secure.address();
    securePort = typeof address === "object" && address ? address.port : 0;
    tlsGw = await startGateway({
      env: {
        ...fakes.env,
        AGENTGW_POLICY: policyFolder(POLICY),
        AGENTGW_HTTP_ALLOW_HOSTS: `localhost:${securePort},localhost:${site.port}`,
        NODE_EXTRA_CA_CERTS: join(dir, "cert.pem"),
      },
    });
    tlsAgent = await registerAgent(tlsGw);
    tlsToken = (await getToken(tlsGw, tlsAgent.key, { tool: "http", scopes: ["http:fetch"] })).token;
  });
  after(async () => {
    await tlsGw.stop();
    tlsGw.cleanup();
    await new Promise((resolve) => secure.close(resolve));
  });

  const fetchSecure = (url: string) =>
    signedCall(tlsGw.url, tlsAgent.key, {
      path: "/v1/tools/http/fetch",
      json: { url },
      headers: { authorization: `Bearer ${tlsToken}` },
    });

  it("a redirect from https to http is refused and the http URL is never requested", async () => {
    const ok = await fetchSecure(`https://localhost:${securePort}/ok`);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.body, "secure", "the site is reached over TLS");
    fakes.website.reset();
    const res = await fetchSecure(`https://localhost:${securePort}/`);
    assertProblemShape(res, 502, "upstream_error");
    assert.match(res.body.detail, /from https to plain http/);
    assert.equal(fakes.website.received.length, 0);
  });
});
