"""Tool calls end to end: the Python SDK → the real gateway (example policy) → the fake upstreams
of test/fakes, for every tool, the async client (one token for concurrent calls), the official
openai client with streaming, a policy denial with its reasons and a rate limit with its
Retry-After."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx2
import openai
import pytest

from agentgw import (
    AgentGateway,
    AsyncAgentGateway,
    KeyPair,
    PolicyDeniedError,
    RateLimitedError,
    generate_key_pair,
)
from agentgw.httpx2 import AgentGatewayAuth as Httpx2AgentGatewayAuth
from conftest import GatewayProcess
from fakes_process import FakesProcess

ALL_SCOPES = ["openai:chat", "gmail:send", "serpapi:search", "http:fetch"]


@pytest.fixture
def client(gateway: GatewayProcess) -> Iterator[AgentGateway]:
    """A newly registered agent holding every tool scope of this file, as an ``AgentGateway``."""
    keys = generate_key_pair()
    gateway.register_agent(keys, ALL_SCOPES, name="python-e2e-tools")
    with AgentGateway(gateway.url, keys) as gateway_client:
        yield gateway_client


def test_openai_chat_returns_the_upstream_json(client: AgentGateway) -> None:
    answer = client.openai_chat([{"role": "user", "content": "What is 2 + 2?"}], model="gpt-4o-mini")
    assert answer["object"] == "chat.completion"
    message = answer["choices"][0]["message"]
    assert (message["role"], message["content"]) == ("assistant", "Echo: What is 2 + 2?")


async def test_async_client_shares_one_token_across_concurrent_calls(gateway: GatewayProcess) -> None:
    keys = generate_key_pair()
    agent = gateway.register_agent(keys, ["openai:chat"], name="python-e2e-async")
    async with AsyncAgentGateway(gateway.url, keys) as client:
        answers = await asyncio.gather(
            *(client.openai_chat([{"role": "user", "content": f"call {n}"}]) for n in range(5))
        )
    assert [a["choices"][0]["message"]["content"] for a in answers] == [f"Echo: call {n}" for n in range(5)]
    decisions = gateway.admin("GET", f"/admin/decisions?agentId={agent['id']}&tool=openai&limit=50").json()
    phases = [d["phase"] for d in decisions["items"]]
    assert (phases.count("token"), phases.count("call")) == (1, 5)  # one POST /v1/tokens, five calls


def test_official_openai_client_streams_through_the_httpx2_hook(client: AgentGateway) -> None:
    with httpx2.Client(auth=Httpx2AgentGatewayAuth.for_tool(client, "openai", ["openai:chat"])) as http:
        official = openai.OpenAI(
            base_url=client.tool_url("openai") + "/v1",
            api_key="replaced-by-the-tool-token",  # the real key stays in the gateway
            http_client=http,
            max_retries=0,
        )
        stream = official.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "stream these words please"}],
            stream=True,
        )
        deltas = [chunk.choices[0].delta.content for chunk in stream if chunk.choices]
    # The fake streams one chunk per word, so more than one chunk proves it was not buffered into one.
    assert len([d for d in deltas if d]) > 1
    assert "".join(d or "" for d in deltas) == "Echo: stream these words please"


def test_official_openai_client_shows_the_gateways_reason_for_a_denial(client: AgentGateway) -> None:
    # OpenAI routes add OpenAI's {"error": {message, type, code}} to the problem document, so the
    # official client's exception carries the gateway's reason and code instead of a bare status.
    with httpx2.Client(auth=Httpx2AgentGatewayAuth.for_tool(client, "openai", ["openai:chat"])) as http:
        official = openai.OpenAI(
            base_url=client.tool_url("openai") + "/v1",
            api_key="replaced-by-the-tool-token",
            http_client=http,
            max_retries=0,
        )
        with pytest.raises(openai.PermissionDeniedError) as denied:
            official.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert denied.value.status_code == 403
    assert denied.value.code == "policy_denied"
    assert "gpt-4o" in denied.value.message


def test_gmail_send_reaches_the_fake_gmail(client: AgentGateway, fakes: FakesProcess) -> None:
    subject = f"Status {time.time_ns()}"
    sent = client.gmail_send(
        "Bob <bob@example.com>",
        subject,
        "All good.",
        intent="tell Bob the nightly build passed",  # gmail:send needs an intent of 10+ characters
    )
    assert "SENT" in sent["labelIds"]

    # Read back from the fake itself, not through the gateway: this is what Gmail received.
    stored = fakes.gmail_message(sent["id"])
    headers = {h["name"].lower(): h["value"] for h in stored["payload"]["headers"]}
    assert headers["subject"] == subject
    assert "bob@example.com" in headers["to"]


def test_serpapi_search_answers_the_fakes_results(client: AgentGateway) -> None:
    results = client.serpapi_search("agent gateway", num="3")
    titles = [r["title"] for r in results["organic_results"]]
    assert titles == [f"agent gateway - result {n}" for n in (1, 2, 3)]


def test_http_fetch_of_the_fake_website(client: AgentGateway, fakes: FakesProcess) -> None:
    page = client.http_fetch(fakes.website_url + "/page")
    assert page["status"] == 200
    assert "Hello from the fake website." in page["body"]


def test_a_disallowed_model_is_denied_with_the_policys_reasons(client: AgentGateway) -> None:
    with pytest.raises(PolicyDeniedError) as denied:
        client.openai_chat([{"role": "user", "content": "hi"}], model="gpt-4o")  # premium tier only
    assert denied.value.code == "policy_denied"
    assert denied.value.status == 403
    assert "model gpt-4o is not allowed for tier default" in denied.value.reasons


def test_a_recipient_outside_the_allowed_domains_is_denied(client: AgentGateway) -> None:
    with pytest.raises(PolicyDeniedError) as denied:
        client.gmail_send("eve@evil.test", "Hi", "Hello", intent="send a note to an outsider")
    assert "recipient domain evil.test is not allowed" in denied.value.reasons


def test_rate_limited_with_retry_after(gateway: GatewayProcess) -> None:
    """The ``tiny`` tier (conftest's --config file) allows 2 signed requests per 10 s."""
    keys: KeyPair = generate_key_pair()
    gateway.register_agent(keys, ["openai:chat"], name="python-e2e-tiny", tier="tiny")
    with AgentGateway(gateway.url, keys) as tiny:
        tiny.whoami()
        tiny.whoami()
        with pytest.raises(RateLimitedError) as limited:
            tiny.whoami()
    assert limited.value.code == "rate_limited"
    assert limited.value.status == 429
    assert limited.value.retry_after is not None
    assert 0 < limited.value.retry_after <= 10
