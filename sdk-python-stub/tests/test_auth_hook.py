"""AgentGatewayAuth on real httpx / httpx2 clients against a local server that checks the
signature of what it received (sync, async, and the official openai client)."""

import json

import httpx
import httpx2
import openai
import pytest

from agentgw import AgentGateway, AgentGatewayAuth, KeyPair
from agentgw.httpx2 import AgentGatewayAuth as Httpx2AgentGatewayAuth
from fake_gateway import FakeGateway, FakeRequest, FakeResponse


def echo(request: FakeRequest) -> FakeResponse:
    return FakeResponse(200, {"ok": True})


def test_sync_client_signs_get_and_post(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    fake_gateway.route("GET", "/v1/whoami", echo)
    fake_gateway.route("POST", "/v1/echo", echo)
    with httpx.Client(auth=AgentGatewayAuth(key_pair)) as client:
        assert client.get(fake_gateway.url + "/v1/whoami").status_code == 200
        response = client.post(
            fake_gateway.url + "/v1/echo?b=%2F&a=1", json={"x": 1}, headers={"Authorization": "Bearer t"}
        )
        assert response.status_code == 200
    assert fake_gateway.signature_failures == []
    get, post = fake_gateway.requests
    assert get.signature is not None
    assert get.signature.components == ["@method", "@authority", "@path"]
    assert post.signature is not None
    assert post.signature.components == [
        "@method",
        "@authority",
        "@path",
        "@query",
        "content-digest",
        "authorization",
    ]
    assert post.signature.params["keyid"] == key_pair.kid


async def test_async_client_signs(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    fake_gateway.route("POST", "/v1/echo", echo)
    async with httpx.AsyncClient(auth=AgentGatewayAuth(key_pair)) as client:
        response = await client.post(fake_gateway.url + "/v1/echo", content=b"raw bytes")
    assert response.status_code == 200
    assert fake_gateway.signature_failures == []
    assert fake_gateway.requests[0].signature is not None
    assert "content-digest" in fake_gateway.requests[0].signature.components


def test_a_tampered_request_fails_the_servers_check(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    """The server-side check is real: a body changed after signing is caught."""
    fake_gateway.route("POST", "/v1/echo", echo)

    class Tamper(httpx.Auth):
        def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
            signed = next(AgentGatewayAuth(key_pair).sync_auth_flow(request))
            signed.headers["content-digest"] = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
            yield signed

    with httpx.Client(auth=Tamper()) as client:
        assert client.post(fake_gateway.url + "/v1/echo", content=b"abc").status_code == 401
    assert fake_gateway.signature_failures


def test_auth_options_are_checked_when_created(key_pair: KeyPair) -> None:
    with pytest.raises(TypeError, match="KeyPair"):
        AgentGatewayAuth("not a key")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ttl_seconds"):
        AgentGatewayAuth(key_pair, ttl_seconds=301)
    with pytest.raises(TypeError, match="bearer"):
        AgentGatewayAuth(key_pair, bearer=object())  # type: ignore[arg-type]


COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": "gpt-4o-mini",
    "choices": [
        {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hi from upstream"}}
    ],
}


def token_route(request: FakeRequest) -> FakeResponse:
    body = request.json()
    return FakeResponse(
        201,
        {
            "token": "tok-1",
            "tokenType": "Bearer",
            "jti": "j1",
            "tool": body["tool"],
            "scopes": body["scopes"],
            "expiresAt": "2030-01-01T00:00:00Z",
            "expiresIn": 300,
        },
    )


def test_official_openai_client_goes_through_the_gateway(
    key_pair: KeyPair, fake_gateway: FakeGateway
) -> None:
    fake_gateway.route("POST", "/v1/tokens", token_route)
    fake_gateway.route(
        "POST", "/v1/tools/openai/v1/chat/completions", lambda r: FakeResponse(200, COMPLETION)
    )
    with AgentGateway(fake_gateway.url, key_pair) as gateway:
        client = openai.OpenAI(
            base_url=gateway.tool_url("openai") + "/v1",
            api_key="replaced-by-the-tool-token",
            http_client=httpx2.Client(
                auth=Httpx2AgentGatewayAuth.for_tool(gateway, "openai", ["openai:chat"])
            ),
            max_retries=0,
        )
        answer = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )
    assert answer.choices[0].message.content == "hi from upstream"
    assert fake_gateway.signature_failures == []
    call = fake_gateway.calls("/v1/tools/openai/v1/chat/completions")[0]
    assert call.headers["authorization"] == "Bearer tok-1"
    assert call.signature is not None
    assert "authorization" in call.signature.components
    assert call.json()["messages"] == [{"role": "user", "content": "hi"}]


def test_openai_streaming_through_the_hook(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    chunk = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "hel"}, "finish_reason": None}],
    }
    events = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
    fake_gateway.route("POST", "/v1/tokens", token_route)
    fake_gateway.route(
        "POST",
        "/v1/tools/openai/v1/chat/completions",
        lambda r: FakeResponse(200, events, content_type="text/event-stream"),
    )
    with AgentGateway(fake_gateway.url, key_pair) as gateway:
        client = openai.OpenAI(
            base_url=gateway.tool_url("openai") + "/v1",
            api_key="replaced-by-the-tool-token",
            http_client=httpx2.Client(
                auth=Httpx2AgentGatewayAuth.for_tool(gateway, "openai", ["openai:chat"])
            ),
            max_retries=0,
        )
        stream = client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        assert [c.choices[0].delta.content for c in stream] == ["hel"]
    assert fake_gateway.calls("/v1/tools/openai/v1/chat/completions")[0].json()["stream"] is True
