"""Cross-language: the JS SDK (sdk-js/dist, run by node) and this SDK build the same signature
base, Signature-Input, Signature and Content-Digest for the same request, key, created and nonce;
and requests signed by Python verify in the real gateway (whose verifier is the JS httpsig code).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from typing import Any

import httpx
import pytest

from agentgw import AgentGatewayAuth, KeyPair, generate_key_pair, key_pair_from_secret_key, sign_request
from conftest import REPO_ROOT, GatewayProcess

JS_SDK = REPO_ROOT / "sdk-js" / "dist" / "index.js"

# Reads cases as JSON on stdin, signs each with the JS SDK's createSignature (profile components,
# fixed created/expires/nonce) and prints what it produced.
JS_SIGNER = """
const sdk = await import(process.env.AGENTGW_JS_SDK);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const c of JSON.parse(input)) {
  const key = await sdk.keyPairFromSecretKey(Buffer.from(c.secretKey, "base64url"));
  const signed = await sdk.createSignature(
    { method: c.method, url: c.url, headers: c.headers,
      body: c.body === null ? null : Buffer.from(c.body, "base64") },
    key,
    { created: c.created, expires: c.created + c.ttl, nonce: c.nonce,
      ...(c.tag === null ? {} : { tag: c.tag }) },
  );
  out.push({ kid: key.kid, signatureBase: signed.signatureBase, headers: signed.headers });
}
process.stdout.write(JSON.stringify(out));
"""

FIXED_SEED = base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode()
NONCE = "dGhpcy1pcy1hLWZpeGVkLW5vbmNlLWZvci10ZXN0cw"

# (name, method, url, headers, body, tag)
CASES: list[tuple[str, str, str, dict[str, str], bytes | None, str | None]] = [
    ("get-no-query", "GET", "http://127.0.0.1:8080/v1/whoami", {}, None, None),
    (
        "get-query-authorization",
        "GET",
        "http://127.0.0.1:8080/v1/tools/serpapi/search.json?q=agent%20gateway&num=5&q=%2Fslash",
        {"Authorization": "Bearer eyJ.fake.token"},
        None,
        None,
    ),
    (
        "post-json-default-port",
        "POST",
        "https://gateway.example.com/v1/tokens",
        {"content-type": "application/json"},
        b'{"tool":"openai","scopes":["openai:chat"],"intent":"summarise the news"}',
        None,
    ),
    (
        "post-utf8-body-with-tag",
        "POST",
        "http://localhost:3000/v1/tools/openai/v1/chat/completions",
        {"authorization": "Bearer t", "content-type": "application/json; charset=utf-8"},
        json.dumps({"messages": [{"role": "user", "content": "Grüße, 世界 ✓"}]}, ensure_ascii=False).encode(),
        "agentgw-test",
    ),
    (
        "percent-encoded-path",
        "DELETE",
        "http://127.0.0.1:8080/v1/tools/http/a%20b/%7Euser/caf%C3%A9",
        {},
        None,
        None,
    ),
]


def js_signatures(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not JS_SDK.exists():
        pytest.fail(f"{JS_SDK} is missing: run `npm run build -w @agentgw/sdk` first")
    completed = subprocess.run(
        ["node", "--input-type=module", "-e", JS_SIGNER],
        input=json.dumps(cases).encode(),
        capture_output=True,
        cwd=REPO_ROOT,
        env={"PATH": os.environ.get("PATH", ""), "AGENTGW_JS_SDK": JS_SDK.as_uri()},
        timeout=30,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    result: list[dict[str, Any]] = json.loads(completed.stdout)
    return result


@pytest.mark.parametrize(
    "seed", [FIXED_SEED, generate_key_pair().to_jwk()["d"]], ids=["fixed-key", "random-key"]
)
def test_js_and_python_sign_the_same_requests_identically(seed: str) -> None:
    keys = key_pair_from_secret_key(seed)
    created = 1_700_000_000
    inputs = [
        {
            "name": name,
            "secretKey": seed,
            "method": method,
            "url": url,
            "headers": headers,
            "body": None if body is None else base64.b64encode(body).decode(),
            "created": created,
            "ttl": 60,
            "nonce": NONCE,
            "tag": tag,
        }
        for name, method, url, headers, body, tag in CASES
    ]
    from_js = js_signatures(inputs)
    assert len(from_js) == len(CASES)
    for (name, method, url, headers, body, tag), js in zip(CASES, from_js, strict=True):
        python = sign_request(
            keys, method, url, headers, body, created=created, ttl_seconds=60, nonce=NONCE, tag=tag
        )
        assert js["kid"] == keys.kid, name
        assert python.signature_base == js["signatureBase"], name
        assert python.headers() == js["headers"], name


def test_python_signed_requests_verify_in_the_gateway(gateway: GatewayProcess) -> None:
    """The gateway's verifier accepts what Python signs: a GET, a POST with a Content-Digest, and a
    GET with a query and a covered Authorization header (a tool token)."""
    keys: KeyPair = generate_key_pair()
    registered = gateway.register_agent(keys, ["serpapi:search"], name="python-cross-language")
    with httpx.Client(auth=AgentGatewayAuth(keys)) as signed:
        whoami = signed.get(gateway.url + "/v1/whoami")
        assert whoami.status_code == 200, whoami.text
        assert whoami.json()["agent"]["id"] == registered["id"]
        assert "content-digest" not in whoami.request.headers["signature-input"]

        token = signed.post(
            gateway.url + "/v1/tokens", json={"tool": "serpapi", "scopes": ["serpapi:search"]}
        )
        assert token.status_code == 201, token.text
        assert "content-digest" in token.request.headers["signature-input"]

        search = signed.get(
            gateway.url + "/v1/tools/serpapi/search.json",
            params={"q": "signed in python", "num": "1"},
            headers={"authorization": f"Bearer {token.json()['token']}"},
        )
        assert search.status_code == 200, search.text
        assert '"@query" "authorization"' in search.request.headers["signature-input"]
        assert search.json()["organic_results"][0]["title"] == "signed in python - result 1"
