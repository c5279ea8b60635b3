"""Every contract error code arrives as its typed error, over real HTTP."""

import pytest

from agentgw import (
    AgentGateway,
    AgentGatewayError,
    AsyncAgentGateway,
    AuthenticationError,
    KeyPair,
    PolicyDeniedError,
    RateLimitedError,
    RequestError,
    ScopeMissingError,
    ServerError,
    SignatureError,
    TokenError,
    UpstreamError,
    error_class_for,
)
from fake_gateway import FakeGateway, FakeResponse, problem

# CONTRACT.md §7 codes plus the gateway's error table additions, with their HTTP status.
CODES = {
    "signature_missing": (401, SignatureError),
    "signature_invalid": (401, SignatureError),
    "signature_expired": (401, SignatureError),
    "replay_detected": (401, SignatureError),
    "digest_mismatch": (400, SignatureError),
    "unknown_key": (401, AuthenticationError),
    "agent_suspended": (403, AuthenticationError),
    "unauthorized": (401, AuthenticationError),
    "token_missing": (401, TokenError),
    "token_invalid": (401, TokenError),
    "token_expired": (401, TokenError),
    "token_revoked": (401, TokenError),
    "token_key_mismatch": (401, TokenError),
    "scope_missing": (403, ScopeMissingError),
    "policy_denied": (403, PolicyDeniedError),
    "rate_limited": (429, RateLimitedError),
    "budget_exceeded": (429, RateLimitedError),
    "unknown_tool": (404, RequestError),
    "invalid_request": (400, RequestError),
    "payload_too_large": (413, RequestError),
    "unsupported_encoding": (415, RequestError),
    "method_not_allowed": (405, RequestError),
    "not_found": (404, RequestError),
    "conflict": (409, RequestError),
    "upstream_timeout": (504, UpstreamError),
    "upstream_unavailable": (503, UpstreamError),
    "upstream_error": (502, UpstreamError),
    "policy_invalid": (422, ServerError),
    "not_ready": (503, ServerError),
    "internal_error": (500, ServerError),
}


@pytest.mark.parametrize("code", sorted(CODES))
def test_each_code_raises_its_class(key_pair: KeyPair, fake_gateway: FakeGateway, code: str) -> None:
    status, cls = CODES[code]
    fake_gateway.route("GET", "/v1/whoami", lambda r: problem(code, status))
    with AgentGateway(fake_gateway.url, key_pair) as gateway, pytest.raises(cls) as caught:
        gateway.whoami()
    error = caught.value
    assert isinstance(error, AgentGatewayError)
    assert (error.code, error.status, error.request_id) == (code, status, "req-123")
    assert error.detail == f"fake {code}"
    assert error.problem["code"] == code
    assert error_class_for(code) is cls


def test_policy_denial_carries_reasons(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    fake_gateway.route(
        "GET", "/v1/tools", lambda r: problem("policy_denied", 403, reasons=["after hours", 7])
    )
    with AgentGateway(fake_gateway.url, key_pair) as gateway, pytest.raises(PolicyDeniedError) as caught:
        gateway.list_tools()
    assert caught.value.reasons == ["after hours"]


def test_rate_limit_carries_retry_after(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    limited = problem("rate_limited", 429)
    limited.headers["Retry-After"] = "7"
    fake_gateway.route("GET", "/v1/whoami", lambda r: limited)
    with AgentGateway(fake_gateway.url, key_pair) as gateway, pytest.raises(RateLimitedError) as caught:
        gateway.whoami()
    assert caught.value.retry_after == 7.0


async def test_async_client_maps_errors_too(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    fake_gateway.route("GET", "/v1/whoami", lambda r: problem("agent_suspended", 403))
    async with AsyncAgentGateway(fake_gateway.url, key_pair) as gateway:
        with pytest.raises(AuthenticationError, match="agent_suspended"):
            await gateway.whoami()


def test_unknown_code_and_non_problem_errors(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    fake_gateway.route("GET", "/v1/whoami", lambda r: problem("brand_new_code", 418))
    fake_gateway.route(
        "GET", "/v1/tools", lambda r: FakeResponse(500, b"<html>oops</html>", content_type="text/html")
    )
    with AgentGateway(fake_gateway.url, key_pair) as gateway:
        with pytest.raises(AgentGatewayError) as unknown:
            gateway.whoami()
        assert type(unknown.value) is AgentGatewayError
        assert unknown.value.code == "brand_new_code"
        with pytest.raises(AgentGatewayError) as html:
            gateway.list_tools()
        assert (html.value.code, html.value.status) == ("unexpected_response", 500)


def test_a_problem_with_broken_json_still_maps(key_pair: KeyPair, fake_gateway: FakeGateway) -> None:
    fake_gateway.route(
        "GET", "/v1/whoami", lambda r: FakeResponse(401, b"{nope", content_type="application/problem+json")
    )
    with AgentGateway(fake_gateway.url, key_pair) as gateway, pytest.raises(AgentGatewayError) as caught:
        gateway.whoami()
    assert (caught.value.code, caught.value.status) == ("unexpected_response", 401)
