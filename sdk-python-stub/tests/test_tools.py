"""tool_call and the thin helpers: the paths, scopes, and bodies they send."""

import base64
import email
import email.policy
from typing import Any

import pytest

from agentgw import AgentGateway, AgentGatewayError, AsyncAgentGateway, KeyPair
from fake_gateway import FakeGateway, FakeRequest, FakeResponse
from test_tokens import TokenIssuer

AGENT = {
    "id": "agt_1",
    "name": "a",
    "status": "active",
    "scopes": ["openai:chat", "http:fetch", "gmail:send"],
}


def reply(body: Any, status: int = 200) -> Any:
    return lambda request: FakeResponse(status, body)


@pytest.fixture
def issuer(fake_gateway: FakeGateway) -> TokenIssuer:
    issuer = TokenIssuer()
    fake_gateway.route("POST", "/v1/tokens", issuer)
    fake_gateway.route("GET", "/v1/whoami", reply({"agent": AGENT, "kid": "k"}))
    return issuer


def test_openai_chat(key_pair: KeyPair, fake_gateway: FakeGateway, issuer: TokenIssuer) -> None:
    fake_gateway.route("POST", "/v1/tools/openai/v1/chat/completions", reply({"choices": []}))
    with AgentGateway(fake_gateway.url, key_pair) as gateway:
        answer = gateway.openai_chat([{"role": "user", "content": "hi"}], model="m", temperature=0)
    assert answer == {"choices": []}
    call = fake_gateway.calls("/v1/tools/openai/v1/chat/completions")[0]
    assert call.json() == {"model": "m", "messages": [{"role": "user", "content": "hi"}], "temperature": 0}
    assert issuer.issued == [{"tool": "openai", "scopes": ["openai:chat"]}]


def test_gmail_send_builds_a_base64url_rfc5322_message(
    key_pair: KeyPair, fake_gateway: FakeGateway, issuer: TokenIssuer
) -> None:
    fake_gateway.route("POST", "/v1/tools/gmail/gmail/v1/users/me/messages/send", reply({"id": "m1"}))
    with AgentGateway(fake_gateway.url, key_pair) as gateway:
        assert gateway.gmail_send("bob@example.com", "Caf\u00e9 at 5?", "See you \u2615") == {"id": "m1"}
    raw = fake_gateway.calls("/v1/tools/gmail/gmail/v1/users/me/messages/send")[0].json()["raw"]
    assert "+" not in raw
    assert "/" not in raw
    message = email.message_from_bytes(base64.urlsafe_b64decode(raw), policy=email.policy.default)
    assert message["To"] == "bob@example.com"
    assert message["Subject"] == "Caf\u00e9 at 5?"
    assert message.get_content().strip() == "See you \u2615"  # type: ignore[attr-defined]
    assert issuer.issued == [{"tool": "gmail", "scopes": ["gmail:send"]}]


def test_gmail_send_refuses_header_injection(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    with (
        AgentGateway(fake_gateway.url, key_pair) as gateway,
        pytest.raises(ValueError, match="linefeed or carriage return"),
    ):
        gateway.gmail_send("bob@example.com", "hi\r\nBcc: eve@example.com", "x")
    assert fake_gateway.requests == []


def test_serpapi_search_sends_query_params(
    key_pair: KeyPair, fake_gateway: FakeGateway, issuer: TokenIssuer
) -> None:
    fake_gateway.route("GET", "/v1/tools/serpapi/search.json", reply({"organic_results": []}))
    with AgentGateway(fake_gateway.url, key_pair) as gateway:
        gateway.serpapi_search("caf\u00e9 & bar", num="5")
        with pytest.raises(ValueError, match="api_key"):
            gateway.serpapi_search("x", api_key="leak")
    call = fake_gateway.calls("/v1/tools/serpapi/search.json")[0]
    assert call.target == "/v1/tools/serpapi/search.json?q=caf%C3%A9+%26+bar&num=5"
    assert call.signature is not None
    assert "@query" in call.signature.components


def test_http_fetch(key_pair: KeyPair, fake_gateway: FakeGateway, issuer: TokenIssuer) -> None:
    fake_gateway.route("POST", "/v1/tools/http/fetch", reply({"status": 200, "headers": {}, "body": "ok"}))
    with AgentGateway(fake_gateway.url, key_pair) as gateway:
        result = gateway.http_fetch("https://example.com/x", "post", {"x-a": "1"}, "payload")
    assert result["body"] == "ok"
    assert fake_gateway.calls("/v1/tools/http/fetch")[0].json() == {
        "url": "https://example.com/x",
        "method": "POST",
        "headers": {"x-a": "1"},
        "body": "payload",
    }


def test_tool_call_defaults_to_the_scope_the_action_needs(
    key_pair: KeyPair, fake_gateway: FakeGateway, issuer: TokenIssuer
) -> None:
    def upstream(request: FakeRequest) -> FakeResponse:
        return FakeResponse(400, {"error": {"message": "bad model"}})  # the tool's own error

    fake_gateway.route("POST", "/v1/tools/openai/v1/embeddings", upstream)
    with AgentGateway(fake_gateway.url, key_pair) as gateway:
        response = gateway.tool_call("openai", "POST", "/v1/embeddings", json={"input": "x"})
        assert response.status_code == 400  # forwarded, not turned into a gateway error
        with pytest.raises(ValueError, match="no known openai action for GET /v1/files"):
            gateway.tool_call("openai", "GET", "/v1/files")
        with pytest.raises(ValueError, match="tool name"):
            gateway.tool_call("../admin", "GET", "/x", scopes=["a:b"])
    assert issuer.issued == [{"tool": "openai", "scopes": ["openai:embeddings"]}]


def test_helpers_raise_on_tool_errors(
    key_pair: KeyPair, fake_gateway: FakeGateway, issuer: TokenIssuer
) -> None:
    fake_gateway.route("POST", "/v1/tools/http/fetch", reply({"error": "nope"}, 500))
    with AgentGateway(fake_gateway.url, key_pair) as gateway, pytest.raises(AgentGatewayError) as caught:
        gateway.http_fetch("https://example.com/")
    assert caught.value.status == 500


async def test_async_helpers(key_pair: KeyPair, fake_gateway: FakeGateway, issuer: TokenIssuer) -> None:
    fake_gateway.route("POST", "/v1/tools/openai/v1/chat/completions", reply({"choices": [1]}))
    fake_gateway.route("GET", "/v1/tools", reply({"tools": []}))
    async with AsyncAgentGateway(fake_gateway.url, key_pair) as gateway:
        assert (await gateway.whoami())["agent"]["id"] == "agt_1"
        assert await gateway.list_tools() == {"tools": []}
        assert await gateway.openai_chat([{"role": "user", "content": "x"}]) == {"choices": [1]}
    assert fake_gateway.signature_failures == []


def test_client_options_are_checked(key_pair: KeyPair) -> None:
    with pytest.raises(ValueError, match="absolute"):
        AgentGateway("127.0.0.1:8080", key_pair)
    with pytest.raises(ValueError, match="query"):
        AgentGateway("http://127.0.0.1:8080/?x=1", key_pair)
    with AgentGateway("http://127.0.0.1:8080/", key_pair) as gateway:
        assert gateway.tool_url("openai") == "http://127.0.0.1:8080/v1/tools/openai"
