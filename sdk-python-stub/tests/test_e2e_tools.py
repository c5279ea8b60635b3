"""Tool calls end to end: the Python SDK → the real gateway (example policy) → the fake upstreams
of test/fakes, for every tool, the async client (one token for concurrent calls), the official
openai client with streaming, a policy denial with its reasons and a rate limit with its
Retry-After."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx2
import openai
import pytest

from agentgw import (
    AgentGateway,
    ApprovalDeniedError,
    ApprovalRequiredError,
    ApprovalWaitError,
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


def test_a_recipient_outside_the_allowed_domains_needs_approval(client: AgentGateway) -> None:
    with pytest.raises(ApprovalRequiredError) as held:
        client.gmail_send("eve@evil.test", "Hi", "Hello", intent="send a note to an outsider")
    assert held.value.code == "approval_required"
    assert held.value.approval_id.startswith("apr_")
    assert "recipient domain evil.test is outside the agent's allowed domains" in held.value.reason
    assert client.get_approval(held.value.approval_id)["status"] == "pending"


def _decide_when_pending(gateway: GatewayProcess, agent_id: str, verb: str, note: str) -> threading.Thread:
    """An admin in another thread: waits for the agent's pending approval, then decides it."""

    def decide() -> None:
        for _ in range(400):
            page = gateway.admin("GET", f"/admin/approvals?status=pending&agentId={agent_id}").json()
            if page["items"]:
                gateway.admin("POST", f"/admin/approvals/{page['items'][0]['id']}/{verb}", {"note": note})
                return
            time.sleep(0.05)

    thread = threading.Thread(target=decide, daemon=True)
    thread.start()
    return thread


def test_the_client_waits_for_an_approval_then_sends_once(
    gateway: GatewayProcess, fakes: FakesProcess
) -> None:
    keys = generate_key_pair()
    agent = gateway.register_agent(keys, ["gmail:send"], name="python-e2e-approval")
    admin = _decide_when_pending(gateway, agent["id"], "approve", "fine")
    with AgentGateway(gateway.url, keys, wait_for_approval=20) as waiting:
        sent = waiting.gmail_send(
            "pat@partner.test", "Contract", "Draft", intent="mail the partner the draft"
        )
    admin.join()
    assert isinstance(sent["id"], str)
    approvals = gateway.admin("GET", f"/admin/approvals?agentId={agent['id']}").json()["items"]
    assert [(a["status"], a["decidedBy"], a["note"]) for a in approvals] == [("approved", "admin", "fine")]
    assert approvals[0]["usedAt"] is not None


def test_a_denial_ends_the_wait_and_waits_can_be_cancelled(gateway: GatewayProcess) -> None:
    keys = generate_key_pair()
    agent = gateway.register_agent(keys, ["gmail:send"], name="python-e2e-denied")
    with AgentGateway(gateway.url, keys) as client:
        with pytest.raises(ApprovalRequiredError) as held:
            client.gmail_send("kim@partner.test", "Hi", "x", intent="mail a partner a greeting")
        cancel = threading.Event()
        cancel.set()
        with pytest.raises(ApprovalWaitError) as cancelled:
            client.wait_for_approval(held.value.approval_id, cancel=cancel)
        assert cancelled.value.outcome == "cancelled"
        with pytest.raises(ApprovalWaitError) as timed_out:
            client.wait_for_approval(held.value.approval_id, timeout=0.1, poll_interval=0.05)
        assert timed_out.value.outcome == "timeout"
        admin = _decide_when_pending(gateway, agent["id"], "deny", "not a customer")
        with pytest.raises(ApprovalDeniedError) as denied:
            client.wait_for_approval(held.value.approval_id, poll_interval=0.05)
        admin.join()
        assert denied.value.note == "not a customer"
        with pytest.raises(ApprovalDeniedError):
            client.gmail_send("kim@partner.test", "Hi", "x", intent="mail a partner a greeting")


async def test_the_async_client_waits_for_an_approval(gateway: GatewayProcess) -> None:
    keys = generate_key_pair()
    agent = gateway.register_agent(keys, ["gmail:send"], name="python-e2e-async-approval")
    admin = _decide_when_pending(gateway, agent["id"], "approve", "ok")
    async with AsyncAgentGateway(gateway.url, keys, wait_for_approval=20) as client:
        sent = await client.gmail_send("lee@partner.test", "Hi", "x", intent="mail a partner a greeting")
    admin.join()
    assert isinstance(sent["id"], str)


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
