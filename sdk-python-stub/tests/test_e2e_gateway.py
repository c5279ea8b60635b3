"""End to end against the real gateway process (node gateway/dist/main.js, the session's
``gateway`` fixture): register through the admin API, whoami, tokens, a revoked token replaced,
and the typed errors a real gateway produces for Python-signed requests. Tool calls to the fake
upstreams are in test_e2e_tools.py."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from agentgw import (
    AgentGateway,
    AgentGatewayAuth,
    AgentGatewayError,
    AuthenticationError,
    AuthorizationError,
    KeyPair,
    SignatureError,
    TokenError,
    generate_key_pair,
)
from agentgw.errors import error_from_response
from conftest import GatewayProcess


@pytest.fixture
def agent(gateway: GatewayProcess) -> tuple[KeyPair, dict[str, Any]]:
    keys = generate_key_pair()
    return keys, gateway.register_agent(keys, ["openai:chat"])


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def test_whoami_tools_and_token(gateway: GatewayProcess, agent: tuple[KeyPair, dict[str, Any]]) -> None:
    keys, registered = agent
    with AgentGateway(gateway.url, keys) as client:
        me = client.whoami()
        assert me["kid"] == keys.kid
        assert me["agent"]["id"] == registered["id"]
        assert "openai" in json.dumps(client.list_tools())
        token = client.token_for("openai", ["openai:chat"], intent="e2e test")
        assert client.token_for("openai", ["openai:chat"], intent="e2e test") is token
    claims = jwt_claims(token.token)
    assert claims["cnf"] == {"jkt": keys.kid}
    assert (claims["sub"], claims["aud"], claims["intent"]) == (registered["id"], "openai", "e2e test")
    assert 0 < token.expires_in <= 300


def test_revoked_token_is_replaced_transparently(
    gateway: GatewayProcess, agent: tuple[KeyPair, dict[str, Any]]
) -> None:
    """The cached token is revoked behind the client's back: the call still succeeds, because the
    SDK drops the refused token and retries once with a new one from ``token_for``."""
    keys, _ = agent
    with AgentGateway(gateway.url, keys) as client:
        first = client.token_for("openai", ["openai:chat"])
        assert gateway.admin("POST", "/admin/tokens/revoke", {"jti": first.jti}).json() == {"revoked": 1}
        answer = client.openai_chat([{"role": "user", "content": "again"}])
        assert answer["choices"][0]["message"]["content"] == "Echo: again"
        second = client.token_for("openai", ["openai:chat"])
    assert second.jti != first.jti


def test_refusals_arrive_as_typed_errors(
    gateway: GatewayProcess, agent: tuple[KeyPair, dict[str, Any]]
) -> None:
    keys, registered = agent
    with httpx.Client() as plain:
        error = error_from_response(plain.get(gateway.url + "/v1/whoami"))
        assert isinstance(error, SignatureError)
        assert error.code == "signature_missing"
        assert error.request_id

    with (
        AgentGateway(gateway.url, generate_key_pair()) as stranger,
        pytest.raises(AuthenticationError) as caught,
    ):
        stranger.whoami()
    assert caught.value.code == "unknown_key"

    with httpx.Client(auth=AgentGatewayAuth(keys)) as signed:
        no_token = signed.post(gateway.url + "/v1/tools/openai/v1/chat/completions", json={"model": "m"})
        assert isinstance(error_from_response(no_token), TokenError)
        assert error_from_response(no_token).code == "token_missing"

    with AgentGateway(gateway.url, keys) as client:
        with pytest.raises(AuthorizationError):
            client.token_for("openai", ["openai:embeddings"])  # not among the agent's scopes
        with pytest.raises(AgentGatewayError) as unknown:
            client.tool_call("nosuchtool", "GET", "/x", scopes=["nosuchtool:x"])
        assert unknown.value.code in {"unknown_tool", "invalid_request", "scope_missing"}

        patched = gateway.admin("PATCH", f"/admin/agents/{registered['id']}", {"status": "suspended"})
        assert patched.status_code == 200
        with pytest.raises(AuthenticationError) as suspended:
            client.whoami()
        assert suspended.value.code == "agent_suspended"


def test_a_replayed_request_is_refused(
    gateway: GatewayProcess, agent: tuple[KeyPair, dict[str, Any]]
) -> None:
    keys, _ = agent
    request = httpx.Request("GET", gateway.url + "/v1/whoami")
    next(AgentGatewayAuth(keys).sync_auth_flow(request))  # sign once
    with httpx.Client() as plain:
        assert plain.send(request).status_code == 200
        error = error_from_response(plain.send(request))
    assert isinstance(error, SignatureError)
    assert error.code == "replay_detected"
