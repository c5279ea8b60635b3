"""``agentgw.mcp``: the MCP endpoint's path, the signing hook that carries the ``mcp.{name}`` token
to that endpoint only (and renews a refused one), and ``connect``'s argument checks. The whole
helper against the real gateway and MCP server is in test_e2e_mcp.py."""

from __future__ import annotations

import json
from typing import Any

import httpx
import httpx2
import pytest

from agentgw import AsyncAgentGateway, KeyPair, generate_key_pair
from agentgw.mcp import connect, mcp_auth, mcp_path
from signature_check import check_signed_request

BASE = "http://gw.test:8080"
ENDPOINT = f"{BASE}/v1/mcp/repo"


def token_server(issued: list[dict[str, Any]]) -> httpx.AsyncClient:
    """The gateway's ``POST /v1/tokens``, answering a new token each time and recording the asks."""

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/tokens"
        asked = json.loads(request.content)
        issued.append(asked)
        return httpx.Response(
            201,
            json={
                "token": f"tok-{len(issued)}",
                "jti": f"j{len(issued)}",
                "tool": asked["tool"],
                "scopes": asked["scopes"],
                "expiresAt": "2999-01-01T00:00:00Z",
                "expiresIn": 600,
            },
        )

    return httpx.AsyncClient(transport=httpx.MockTransport(handle))


def test_mcp_path_refuses_names_that_would_change_the_path() -> None:
    assert mcp_path("repo") == "/v1/mcp/repo"
    assert mcp_path("a_b-9") == "/v1/mcp/a_b-9"
    for bad in ["", "Repo", "../admin", "repo/x", "repo?x=1", "a" * 64, "-x", "repo\n"]:
        with pytest.raises(ValueError, match="not an MCP server name"):
            mcp_path(bad)


async def test_signs_each_request_with_the_servers_tool_token(key_pair: KeyPair) -> None:
    issued: list[dict[str, Any]] = []
    seen: list[httpx2.Request] = []

    def upstream(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json={"jsonrpc": "2.0", "id": 1, "result": {}})

    async with (
        AsyncAgentGateway(BASE, key_pair, http_client=token_server(issued)) as gw,
        httpx2.AsyncClient(
            auth=mcp_auth(gw, "repo", intent="file the failing build"),
            transport=httpx2.MockTransport(upstream),
        ) as http,
    ):
        body = b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
        await http.post(ENDPOINT, content=body, headers={"content-type": "application/json"})
        await http.get(ENDPOINT, headers={"accept": "text/event-stream"})
    assert issued == [{"tool": "mcp.repo", "scopes": ["mcp.repo:use"], "intent": "file the failing build"}]
    assert [r.headers["authorization"] for r in seen] == ["Bearer tok-1", "Bearer tok-1"]
    for request in seen:
        check_signed_request(
            request.method,
            request.url.raw_path.decode(),
            dict(request.headers.items()),
            request.content,
            key_pair.public_key,
            "gw.test:8080",
        )


async def test_a_refused_token_is_renewed_and_the_request_signed_anew(key_pair: KeyPair) -> None:
    issued: list[dict[str, Any]] = []
    seen: list[dict[str, str]] = []  # the headers as each send carried them (the request is reused)

    def upstream(request: httpx2.Request) -> httpx2.Response:
        seen.append(dict(request.headers.items()))
        if len(seen) == 1:
            return httpx2.Response(
                401,
                headers={"content-type": "application/problem+json"},
                json={"status": 401, "code": "token_expired", "title": "token expired"},
            )
        return httpx2.Response(200, json={"jsonrpc": "2.0", "id": 1, "result": {}})

    async with (
        AsyncAgentGateway(BASE, key_pair, http_client=token_server(issued)) as gw,
        httpx2.AsyncClient(auth=mcp_auth(gw, "repo"), transport=httpx2.MockTransport(upstream)) as http,
    ):
        answer = await http.post(ENDPOINT, content=b"{}", headers={"content-type": "application/json"})
    assert answer.status_code == 200
    assert [h["authorization"] for h in seen] == ["Bearer tok-1", "Bearer tok-2"]
    assert seen[0]["signature"] != seen[1]["signature"], "a fresh nonce for the resend"


async def test_the_token_goes_to_this_servers_endpoint_and_nowhere_else(key_pair: KeyPair) -> None:
    issued: list[dict[str, Any]] = []
    seen: list[httpx2.Request] = []

    def upstream(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200)

    async with (
        AsyncAgentGateway(BASE, key_pair, http_client=token_server(issued)) as gw,
        httpx2.AsyncClient(auth=mcp_auth(gw, "repo"), transport=httpx2.MockTransport(upstream)) as http,
    ):
        for elsewhere in [f"{BASE}/v1/mcp/other", "http://evil.test/v1/mcp/repo", f"{BASE}/v1/tokens"]:
            with pytest.raises(ValueError, match="sends only to"):
                await http.get(elsewhere)
        # A query string or a trailing slash still names the same endpoint.
        await http.get(ENDPOINT + "/?x=1")
    assert [str(r.url) for r in seen] == [ENDPOINT + "/?x=1"]


async def test_connect_checks_its_arguments_before_connecting(key_pair: KeyPair) -> None:
    pytest.importorskip("mcp")
    with pytest.raises(TypeError, match="needs key="):
        async with connect(BASE, "repo"):
            pass
    with pytest.raises(ValueError, match="not an MCP server name"):
        async with connect(BASE, "../admin", key=key_pair):
            pass
    with pytest.raises(TypeError, match="AsyncAgentGateway"):
        async with connect(object(), "repo"):  # type: ignore[arg-type]
            pass
    async with AsyncAgentGateway(BASE, key_pair) as gw:
        other = generate_key_pair()
        with pytest.raises(ValueError, match="differs"):
            async with connect(gw, "repo", key=other):
                pass
