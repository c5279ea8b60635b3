"""Schemathesis hooks: authenticate every generated request the way a real caller would.

Loaded by schemathesis through ``SCHEMATHESIS_HOOKS=signing_hooks`` (see fuzz.test.ts). Reads:

- ``AGENTGW_FUZZ_URL``          the gateway's base URL (its public URL: signatures name its authority)
- ``AGENTGW_FUZZ_ADMIN_TOKEN``  the admin bearer token, sent on ``/admin/*`` and ``/metrics``
- ``AGENTGW_FUZZ_AGENT_KEY``    a registered agent's Ed25519 secret key (base64url, 32 bytes)
- ``AGENTGW_FUZZ_AGENT_ID``     that agent's id (admin calls generated against it are diverted)
- ``AGENTGW_FUZZ_WEBSITE_URL``  the fake website the http tool may fetch

Every ``/v1`` request is signed (RFC 9421) by the Python SDK as the last step before it is
sent, over the exact bytes that go on the wire. A tool call also carries a tool token for the
tool it names (fetched once per tool, signed too), so the fuzzer reaches the policy, the
connectors and the fake upstreams rather than stopping at ``token_missing``.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import schemathesis
from agentgw import KeyPair, key_pair_from_secret_key, sign_request

BASE_URL = os.environ["AGENTGW_FUZZ_URL"].rstrip("/")
ADMIN_TOKEN = os.environ["AGENTGW_FUZZ_ADMIN_TOKEN"]
AGENT_KEY: KeyPair = key_pair_from_secret_key(os.environ["AGENTGW_FUZZ_AGENT_KEY"])
#: The signing agent's id: admin operations generated against it go to an absent agent instead,
#: or the fuzzer (stateful phase: list agents, then revoke a key) would lock itself out.
AGENT_ID = os.environ["AGENTGW_FUZZ_AGENT_ID"]
ABSENT_AGENT_ID = "agt_" + "0" * 26
#: The fake website the http tool may fetch (allow-listed): fetches are aimed at its routes.
WEBSITE_URL = os.environ["AGENTGW_FUZZ_WEBSITE_URL"].rstrip("/")
WEBSITE_PATHS = [
    "/",
    "/page",
    "/json",
    "/echo",
    "/large?bytes=70000",
    "/redirect?to=/page",
    "/redirect?to=/echo&status=307",
    "/redirect-chain?hops=3",
    "/status/500",
    "/status/404",
]

#: Each tool's scopes, as the catalogue names them; a token for a tool gets all of them.
TOOL_SCOPES = {
    "openai": ["openai:chat", "openai:embeddings", "openai:models"],
    "gmail": ["gmail:send", "gmail:read"],
    "serpapi": ["serpapi:search"],
    "http": ["http:fetch"],
}
#: A cached token is renewed when it has less than this many seconds left.
TOKEN_MARGIN_SECONDS = 30


TOOL_CALL_PREFIX = "/v1/tools/"


def restore_tool_path(url: str) -> str:
    """The document's ``{path}`` stands for the rest of a tool call's URL, slashes included, which
    an OpenAPI path parameter cannot express: schemathesis percent-encodes them, and the gateway
    (rightly) finds no action at ``v1%2Fchat%2Fcompletions``. Put the slashes back."""
    parts = urlsplit(url)
    if not parts.path.startswith(TOOL_CALL_PREFIX):
        return url
    tool_and_rest = parts.path[len(TOOL_CALL_PREFIX) :].split("/", 1)
    if len(tool_and_rest) == 2:
        tool, rest = tool_and_rest
        path = f"{TOOL_CALL_PREFIX}{tool}/{re.sub('%2[Ff]', '/', rest)}"
        return urlunsplit(parts._replace(path=path))
    return url


#: Each tool's action paths by method: most generated tool calls are aimed at a real action, so
#: their generated bodies and queries reach the connector and the fake upstream, not only the 404.
ACTION_PATHS = {
    ("openai", "POST"): ["v1/chat/completions", "v1/responses", "v1/embeddings"],
    ("openai", "GET"): ["v1/models"],
    ("gmail", "POST"): ["gmail/v1/users/me/messages/send"],
    ("gmail", "GET"): ["gmail/v1/users/me/messages", "gmail/v1/users/me/messages/m1"],
    ("serpapi", "GET"): ["search.json"],
    ("http", "POST"): ["fetch"],
}


_aimed: set[tuple[Any, str]] = set()


def aim_at_an_action(case: Any) -> None:
    """Three generated tool calls in four are aimed at a real action (and a fetch at the website),
    and always the first of each tool and method, so every connector and fake upstream is reached;
    which others is decided by the generated values."""
    params = case.path_parameters or {}
    choices = ACTION_PATHS.get((params.get("tool"), case.method.upper()))
    if not choices:
        return
    generated = str(params.get("path", ""))
    spin = sum(generated.encode("utf-8")) + len(repr(case.body))
    first = (params.get("tool"), case.method.upper()) not in _aimed
    if spin % 4 == 0 and not first:
        return
    _aimed.add((params.get("tool"), case.method.upper()))
    if generated not in choices:
        case.path_parameters = {**params, "path": choices[spin % len(choices)]}
    if params.get("tool") == "serpapi" and "q" not in (case.query or {}):
        # A search needs its query; the generated path text serves as one.
        case.query = {**(case.query or {}), "q": generated or "otters"}
    if params.get("tool") == "http" and isinstance(case.body, dict):
        # A fetch of the allow-listed website, the rest of the generated request kept.
        case.body = {**case.body, "url": WEBSITE_URL + WEBSITE_PATHS[spin % len(WEBSITE_PATHS)]}


class SignRequest(requests.auth.AuthBase):
    """requests runs auth after it has prepared the URL and body: sign exactly what is sent."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.url = restore_tool_path(str(request.url))
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        signature = sign_request(
            AGENT_KEY,
            str(request.method),
            str(request.url),
            headers=dict(request.headers),
            body=body or None,
        )
        request.headers.update(signature.headers())
        return request


_tokens: dict[str, tuple[str, float]] = {}


def tool_token(tool: str) -> str | None:
    """A tool token for ``tool`` with every scope it has, or None for a tool the gateway lacks."""
    scopes = TOOL_SCOPES.get(tool)
    if scopes is None:
        return None
    cached = _tokens.get(tool)
    if cached and cached[1] - time.time() > TOKEN_MARGIN_SECONDS:
        return cached[0]
    response = requests.post(
        f"{BASE_URL}/v1/tokens",
        json={"tool": tool, "scopes": scopes},
        auth=SignRequest(),
        timeout=30,
    )
    if response.status_code != 201:
        raise RuntimeError(f"tool token for {tool}: {response.status_code} {response.text}")
    answer = response.json()
    _tokens[tool] = (answer["token"], time.time() + answer["expiresIn"])
    return str(answer["token"])


#: The credentials the gateway seeded from its environment (one per tool): changing or deleting
#: them would take a tool away for the rest of the run (503 upstream_unavailable, as documented).
SEEDED_CREDENTIALS = {"openai", "gmail", "serpapi"}
ABSENT_CREDENTIAL = "fuzz-absent"


def spare_the_fuzzer(case: Any) -> None:
    """Changes generated against the fuzzer's own agent or the seeded credentials go elsewhere."""
    if case.method.upper() == "GET":
        return
    params = case.path_parameters or {}
    if params.get("id") == AGENT_ID:
        case.path_parameters = {**params, "id": ABSENT_AGENT_ID}
    if case.operation.path.startswith("/admin/credentials/") and params.get("name") in SEEDED_CREDENTIALS:
        case.path_parameters = {**params, "name": ABSENT_CREDENTIAL}
    if isinstance(case.body, dict) and case.body.get("agentId") == AGENT_ID:
        case.body = {**case.body, "agentId": ABSENT_AGENT_ID}


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    path: str = case.operation.path
    headers = dict(case.headers or {})
    if path.startswith("/admin/") or path == "/metrics":
        headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
        spare_the_fuzzer(case)
    elif path.startswith("/v1/"):
        tool = (case.path_parameters or {}).get("tool")
        token = tool_token(tool) if path.startswith("/v1/tools/{tool}") and isinstance(tool, str) else None
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
            aim_at_an_action(case)
        kwargs["auth"] = SignRequest()
    case.headers = headers
