import assert from "node:assert/strict";
import { test } from "node:test";
import { requestHeadersForUpstream, responseHeadersForAgent } from "./headers.js";

test("agent credentials, signatures, cookies and hop-by-hop headers never go upstream", () => {
  const out = requestHeadersForUpstream({
    Authorization: "Bearer tool-token",
    signature: "sig1=:x:",
    "Signature-Input": "sig1=()",
    "content-digest": "sha-256=:x:",
    cookie: "a=b",
    "proxy-authorization": "Basic x",
    connection: "keep-alive, X-Private-Hop",
    "x-private-hop": "1",
    "keep-alive": "timeout=5",
    te: "trailers",
    "transfer-encoding": "chunked",
    upgrade: "h2c",
    host: "gateway.local",
    "content-length": "12",
    "x-forwarded-for": "1.2.3.4",
    "X-Forwarded-Proto": "https",
    "openai-organization": "org-agent",
    "Content-Type": "application/json",
    accept: ["application/json", "text/plain"],
    "x-custom": "kept",
  });
  assert.deepEqual(out, {
    "content-type": "application/json",
    accept: "application/json, text/plain",
    "x-custom": "kept",
  });
});

test("the upstream's X-Request-Id never replaces the gateway's: it is passed on as x-upstream-request-id", () => {
  assert.deepEqual(responseHeadersForAgent({ "X-Request-Id": "up_1", "content-type": "text/plain" }), {
    "content-type": "text/plain",
    "x-upstream-request-id": "up_1",
  });
  assert.deepEqual(
    responseHeadersForAgent({ "x-request-id": "has sk-secret-value" }, ["sk-secret-value"]),
    {},
  );
});

test("upstream cookies, auth challenges, lengths and secret-bearing headers never reach the agent", () => {
  const out = responseHeadersForAgent(
    {
      "set-cookie": ["a=b", "c=d"],
      "www-authenticate": "Bearer",
      "content-length": "10",
      "content-encoding": "gzip",
      "transfer-encoding": "chunked",
      "openai-organization": "org-gateway",
      "x-echo": "key sk-secret-value here",
      "content-type": "application/json",
      "x-request-id": "req_1",
      "retry-after": "3",
    },
    ["sk-secret-value"],
  );
  assert.deepEqual(out, {
    "content-type": "application/json",
    "x-upstream-request-id": "req_1",
    "retry-after": "3",
  });
});
