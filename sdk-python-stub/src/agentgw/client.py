"""``AgentGateway``: the synchronous client an agent uses to reach its tools.

Generated from ``async_client.py`` by ``scripts/unasync.py``: edit that file, then run the script.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

import httpx

from ._client_core import (
    DEFAULT_APPROVAL_WAIT_SECONDS,
    approval_outcome,
    approval_path,
    next_poll,
    raise_for_gateway_problem,
    token_request_body,
    tool_json_object,
    whoami_result,
)
from ._config import normalize_base_url
from .auth import AgentGatewayAuth
from .errors import ApprovalRequiredError, ApprovalWaitError, error_from_response, json_body
from .keys import KeyPair
from .sign import DEFAULT_TTL_SECONDS
from .tokens import DEFAULT_REFRESH_MARGIN_SECONDS, BoundToken, TokenCache, ToolToken
from .tools import (
    ToolRequest,
    gmail_send_request,
    http_fetch_request,
    openai_chat_request,
    scope_for,
    serpapi_search_request,
    tool_path,
)

__all__ = ["AgentGateway"]


class AgentGateway:
    """Signs every request with the agent's key, gets and caches tool tokens, calls tools.

    ``base_url`` is the gateway's public URL (the ``@authority`` signatures name). Pass
    ``http_client`` to reuse your own ``httpx.Client`` (it is not closed by ``close()``).
    """

    def __init__(
        self,
        base_url: str,
        key_pair: KeyPair,
        *,
        http_client: httpx.Client | None = None,
        timeout: float = 30.0,
        signature_ttl_seconds: int = DEFAULT_TTL_SECONDS,
        token_refresh_margin: float = DEFAULT_REFRESH_MARGIN_SECONDS,
        clock: Callable[[], float] = time.time,
        wait_for_approval: float | None = None,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.key_pair = key_pair
        self._clock = clock
        self.signature_ttl_seconds = signature_ttl_seconds
        self._auth = AgentGatewayAuth(key_pair, ttl_seconds=signature_ttl_seconds, clock=clock)
        self._http = http_client if http_client is not None else httpx.Client(timeout=timeout)
        self._owns_http = http_client is None
        self._tokens = TokenCache(self._fetch_token, clock=clock, refresh_margin=token_refresh_margin)
        #: Seconds a tool call waits for a person's approval before retrying it; None never waits.
        self.wait_for_approval_timeout = wait_for_approval

    # -- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> AgentGateway:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- agent API ---------------------------------------------------------------------------
    def whoami(self) -> dict[str, Any]:
        """``GET /v1/whoami``: ``{agent, kid}`` for the key that signed."""
        return whoami_result(self._json("GET", "/v1/whoami"))

    def list_tools(self) -> Any:
        """``GET /v1/tools``: the tools and actions this agent could be granted."""
        return self._json("GET", "/v1/tools")

    def request_token(
        self, tool: str, scopes: Sequence[str], intent: str | None = None, ttl_seconds: int | None = None
    ) -> ToolToken:
        """``POST /v1/tokens`` every time (no cache). Most callers want ``token_for``."""
        body = token_request_body(tool, scopes, intent, ttl_seconds)
        requested_at = self._clock()
        response = self._send("POST", "/v1/tokens", json=body)
        return ToolToken.from_response(
            json_body(response), requested_at=requested_at, intent=intent, status=response.status_code
        )

    def token_for(self, tool: str, scopes: Sequence[str], intent: str | None = None) -> ToolToken:
        """A tool token for (tool, scopes, intent), cached until shortly before it expires."""
        return self._tokens.get(tool, scopes, intent)

    def tool_url(self, tool: str) -> str:
        """Base URL of a tool's own API through the gateway, e.g. for an official client."""
        return self.base_url + tool_path(tool, "").rstrip("/")

    def tool_auth(self, tool: str, scopes: Sequence[str], intent: str | None = None) -> AgentGatewayAuth:
        """An ``httpx.Auth`` that sets this tool's (cached) token and signs each request: give it
        to any httpx-based client pointed at ``tool_url(tool)``."""
        return AgentGatewayAuth(
            self.key_pair,
            bearer=BoundToken(self._tokens, tool, scopes, intent),
            ttl_seconds=self.signature_ttl_seconds,
            clock=self._clock,
        )

    def _tool_call_once(
        self,
        tool: str,
        method: str,
        path: str,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        *,
        scopes: Sequence[str] | None = None,
        intent: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Call ``path`` of ``tool`` through the gateway with a cached tool token.

        ``scopes`` default to the one scope the action needs (the protocol's tool catalogue;
        an action it does not know needs ``scopes=``). A gateway refusal (problem+json) raises
        the typed ``AgentGatewayError``; the tool's own responses, errors included, are returned
        as they are. A refused token is replaced once.
        """
        if scopes is None:
            scopes = (scope_for(tool, method, path),)
        request_path = tool_path(tool, path)
        auth = self.tool_auth(tool, scopes, intent)
        response = self._http.request(
            method, self.base_url + request_path, json=json, params=params, headers=headers, auth=auth
        )
        return raise_for_gateway_problem(response)

    def tool_call(
        self,
        tool: str,
        method: str,
        path: str,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        *,
        scopes: Sequence[str] | None = None,
        intent: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Call ``path`` of ``tool`` through the gateway with a cached tool token.

        ``scopes`` default to every scope the agent holds for the tool. A gateway refusal
        (problem+json) raises the typed ``AgentGatewayError``; the tool's own responses,
        errors included, are returned as they are. A refused token is replaced once. With
        ``wait_for_approval`` set on the client, a request the policy holds for a person's
        approval (the token or the call) is waited for and sent again once approved.
        """
        awaited: set[str] = set()
        while True:
            try:
                return self._tool_call_once(
                    tool, method, path, json, params, scopes=scopes, intent=intent, headers=headers
                )
            except ApprovalRequiredError as error:
                # At most one wait for the token request and one for the call.
                if (
                    self.wait_for_approval_timeout is None
                    or error.approval_id in awaited
                    or len(awaited) >= 2
                ):
                    raise
                awaited.add(error.approval_id)
                self.wait_for_approval(error.approval_id, timeout=self.wait_for_approval_timeout)

    def get_approval(self, approval_id: str) -> dict[str, Any]:
        """``GET /v1/approvals/{id}``: one of this agent's approvals."""
        return self._json("GET", approval_path(approval_id))  # type: ignore[no-any-return]

    def wait_for_approval(
        self,
        approval_id: str,
        *,
        timeout: float = DEFAULT_APPROVAL_WAIT_SECONDS,
        poll_interval: float = 1.0,
        cancel: threading.Event | None = None,
    ) -> dict[str, Any]:
        """Wait for a person's decision on ``approval_id`` (from an ``ApprovalRequiredError``).

        Returns the approved approval; then the same request goes through once (a token request:
        during the approval's window). Raises ``ApprovalDeniedError``, or ``ApprovalWaitError``
        when it expired or ``timeout`` seconds passed. To stop waiting, cancel the task
        (asyncio) or set ``cancel``, a ``threading.Event`` (the blocking client):
        ``ApprovalWaitError`` with outcome ``cancelled``.
        """
        path = approval_path(approval_id)
        deadline = time.monotonic() + timeout
        interval = poll_interval
        while True:
            approval = self._json("GET", path)
            if approval_outcome(approval, approval_id):
                return approval  # type: ignore[no-any-return]
            pause, interval = next_poll(interval, deadline, time.monotonic(), approval_id)
            if cancel is not None:
                if cancel.wait(pause):
                    raise ApprovalWaitError(approval_id, "cancelled")
            else:
                time.sleep(pause)

    # -- thin tool helpers -----------------------------------------------------------------------
    def openai_chat(
        self,
        messages: Sequence[Mapping[str, Any]],
        *,
        model: str = "gpt-4o-mini",
        intent: str | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        """OpenAI chat completion through the gateway; returns OpenAI's JSON answer."""
        return self._run(openai_chat_request(messages, model, params), intent)

    def gmail_send(
        self,
        to: str | Sequence[str],
        subject: str,
        text: str,
        *,
        sender: str | None = None,
        intent: str | None = None,
    ) -> dict[str, Any]:
        """Send a plain-text mail from the gateway's Gmail account; returns Gmail's message."""
        return self._run(gmail_send_request(to, subject, text, sender), intent)

    def serpapi_search(self, q: str, *, intent: str | None = None, **params: str) -> dict[str, Any]:
        """SerpAPI search (the gateway adds the API key); returns SerpAPI's JSON."""
        return self._run(serpapi_search_request(q, params), intent)

    def http_fetch(
        self,
        url: str,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        body: str | None = None,
        *,
        intent: str | None = None,
    ) -> dict[str, Any]:
        """Fetch an allow-listed URL through the ``http`` tool: ``{status, headers, body}``."""
        return self._run(http_fetch_request(url, method, headers, body), intent)

    # -- internals ---------------------------------------------------------------------------
    def _run(self, spec: ToolRequest, intent: str | None) -> dict[str, Any]:
        response = self.tool_call(
            spec.tool, spec.method, spec.path, spec.json, spec.params, scopes=spec.scopes, intent=intent
        )
        return tool_json_object(response)

    def _fetch_token(self, tool: str, scopes: tuple[str, ...], intent: str | None) -> ToolToken:
        return self.request_token(tool, scopes, intent)

    def _send(self, method: str, path: str, *, json: Any = None) -> httpx.Response:
        response = self._http.request(method, self.base_url + path, json=json, auth=self._auth)
        if response.status_code >= 400:
            raise error_from_response(response)
        return response

    def _json(self, method: str, path: str) -> Any:
        return json_body(self._send(method, path))
