"""Token caching, single flight, refresh before expiry and one retry on token_* refusals,
against the fake gateway over real HTTP (sync and async clients)."""

import asyncio
import threading
import time
from typing import Any

import pytest

from agentgw import AgentGateway, AgentGatewayError, AsyncAgentGateway, KeyPair, PolicyDeniedError, TokenError
from fake_gateway import FakeGateway, FakeRequest, FakeResponse, problem


class TokenIssuer:
    """POST /v1/tokens: numbered tokens, with a configurable lifetime and delay."""

    def __init__(self, expires_in: int = 300, delay: float = 0.0) -> None:
        self.expires_in, self.delay = expires_in, delay
        self.issued: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, request: FakeRequest) -> FakeResponse:
        time.sleep(self.delay)
        body = request.json()
        with self._lock:
            self.issued.append(body)
            number = len(self.issued)
        return FakeResponse(
            201,
            {
                "token": f"tok-{number}",
                "tokenType": "Bearer",
                "jti": f"jti-{number}",
                "tool": body["tool"],
                "scopes": body["scopes"],
                "expiresAt": "2030-01-01T00:00:00Z",
                "expiresIn": self.expires_in,
            },
        )


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_token_is_cached_per_tool_scopes_and_intent(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    issuer = TokenIssuer()
    fake_gateway.route("POST", "/v1/tokens", issuer)
    with AgentGateway(fake_gateway.url, key_pair) as gateway:
        first = gateway.token_for("openai", ["openai:chat", "openai:models"])
        assert gateway.token_for("openai", ["openai:models", "openai:chat"]) is first
        assert gateway.token_for("openai", ["openai:chat"]).token == "tok-2"
        assert gateway.token_for("openai", ["openai:chat"], intent="summarize").token == "tok-3"
    assert len(issuer.issued) == 3
    assert issuer.issued[2] == {"tool": "openai", "scopes": ["openai:chat"], "intent": "summarize"}
    assert "tok-1" not in repr(first)


def test_token_is_refreshed_shortly_before_expiry(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    issuer = TokenIssuer(expires_in=300)
    fake_gateway.route("POST", "/v1/tokens", issuer)
    clock = Clock()
    with AgentGateway(fake_gateway.url, key_pair, clock=clock, token_refresh_margin=30) as gateway:
        assert gateway.token_for("serpapi", ["serpapi:search"]).token == "tok-1"
        clock.now += 269
        assert gateway.token_for("serpapi", ["serpapi:search"]).token == "tok-1"
        clock.now += 1  # 30 s left: refresh now, not when the gateway starts refusing it
        assert gateway.token_for("serpapi", ["serpapi:search"]).token == "tok-2"


def test_short_tokens_refresh_at_half_their_life(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    fake_gateway.route("POST", "/v1/tokens", TokenIssuer(expires_in=10))
    clock = Clock()
    with AgentGateway(fake_gateway.url, key_pair, clock=clock) as gateway:
        assert gateway.token_for("http", ["http:fetch"]).token == "tok-1"
        clock.now += 4.9
        assert gateway.token_for("http", ["http:fetch"]).token == "tok-1"
        clock.now += 0.1
        assert gateway.token_for("http", ["http:fetch"]).token == "tok-2"


def test_concurrent_callers_share_one_token_request(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    issuer = TokenIssuer(delay=0.2)
    fake_gateway.route("POST", "/v1/tokens", issuer)
    results: list[str] = []
    with AgentGateway(fake_gateway.url, key_pair) as gateway:
        threads = [
            threading.Thread(target=lambda: results.append(gateway.token_for("gmail", ["gmail:send"]).token))
            for _ in range(6)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results == ["tok-1"] * 6
    assert len(issuer.issued) == 1


async def test_async_concurrent_callers_share_one_token_request(
    key_pair: KeyPair, fake_gateway: FakeGateway
) -> None:
    issuer = TokenIssuer(delay=0.2)
    fake_gateway.route("POST", "/v1/tokens", issuer)
    async with AsyncAgentGateway(fake_gateway.url, key_pair) as gateway:
        tokens = await asyncio.gather(*(gateway.token_for("gmail", ["gmail:send"]) for _ in range(6)))
        other = await gateway.token_for("gmail", ["gmail:read"])
    assert {t.token for t in tokens} == {"tok-1"}
    assert other.token == "tok-2"
    assert len(issuer.issued) == 2


def refuse_first_token(code: str) -> Any:
    def handler(request: FakeRequest) -> FakeResponse:
        if request.headers.get("authorization") == "Bearer tok-1":
            return problem(code, 401)
        return FakeResponse(200, {"results": ["ok"]})

    return handler


@pytest.mark.parametrize("code", ["token_expired", "token_revoked", "token_invalid", "token_key_mismatch"])
def test_refused_token_is_dropped_and_the_call_retried_once(
    key_pair: KeyPair, fake_gateway: FakeGateway, code: str
) -> None:
    issuer = TokenIssuer()
    fake_gateway.route("POST", "/v1/tokens", issuer)
    fake_gateway.route("GET", "/v1/tools/serpapi/search.json", refuse_first_token(code))
    with AgentGateway(fake_gateway.url, key_pair) as gateway:
        assert gateway.serpapi_search("coffee") == {"results": ["ok"]}
        assert gateway.token_for("serpapi", ["serpapi:search"]).token == "tok-2"
    calls = fake_gateway.calls("/v1/tools/serpapi/search.json")
    assert [c.headers["authorization"] for c in calls] == ["Bearer tok-1", "Bearer tok-2"]
    nonces = [c.signature.params["nonce"] for c in calls if c.signature]
    assert len(set(nonces)) == 2  # the resent request is signed anew
    assert fake_gateway.signature_failures == []


async def test_async_refused_token_is_retried_once(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    fake_gateway.route("POST", "/v1/tokens", TokenIssuer())
    fake_gateway.route("GET", "/v1/tools/serpapi/search.json", refuse_first_token("token_expired"))
    async with AsyncAgentGateway(fake_gateway.url, key_pair) as gateway:
        assert await gateway.serpapi_search("coffee") == {"results": ["ok"]}


def test_a_second_refusal_is_raised_not_retried_again(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    issuer = TokenIssuer()
    fake_gateway.route("POST", "/v1/tokens", issuer)
    fake_gateway.route("GET", "/v1/tools/serpapi/search.json", lambda r: problem("token_revoked", 401))
    with AgentGateway(fake_gateway.url, key_pair) as gateway, pytest.raises(TokenError) as caught:
        gateway.serpapi_search("coffee")
    assert caught.value.code == "token_revoked"
    assert len(fake_gateway.calls("/v1/tools/serpapi/search.json")) == 2
    assert len(issuer.issued) == 2


def test_other_refusals_are_not_retried(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    fake_gateway.route("POST", "/v1/tokens", TokenIssuer())
    fake_gateway.route(
        "GET", "/v1/tools/serpapi/search.json", lambda r: problem("policy_denied", 403, reasons=["no"])
    )
    with AgentGateway(fake_gateway.url, key_pair) as gateway, pytest.raises(PolicyDeniedError) as caught:
        gateway.serpapi_search("coffee")
    assert caught.value.reasons == ["no"]
    assert len(fake_gateway.calls("/v1/tools/serpapi/search.json")) == 1


def test_malformed_token_response_is_an_error(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    fake_gateway.route("POST", "/v1/tokens", lambda r: FakeResponse(201, {"token": "x"}))
    with (
        AgentGateway(fake_gateway.url, key_pair) as gateway,
        pytest.raises(AgentGatewayError, match="expiresIn"),
    ):
        gateway.token_for("openai", ["openai:chat"])
