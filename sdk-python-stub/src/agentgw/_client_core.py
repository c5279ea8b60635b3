"""What the sync and async clients decide the same way, free of I/O, so the two clients
differ only in how they send (``AgentGateway`` blocks, ``AsyncAgentGateway`` awaits)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from .errors import AgentGatewayError, error_from_response, is_problem_content_type, json_body


def token_request_body(
    tool: str, scopes: Sequence[str], intent: str | None, ttl_seconds: int | None
) -> dict[str, Any]:
    """The ``POST /v1/tokens`` body: optional members only when given."""
    body: dict[str, Any] = {"tool": tool, "scopes": list(scopes)}
    if intent is not None:
        body["intent"] = intent
    if ttl_seconds is not None:
        body["ttlSeconds"] = ttl_seconds
    return body


def whoami_result(body: Any) -> dict[str, Any]:
    """``GET /v1/whoami``'s answer; an answer that is not an object reads as nobody."""
    return body if isinstance(body, dict) else {"agent": None, "kid": None}


def raise_for_gateway_problem(response: httpx.Response) -> httpx.Response:
    """A gateway refusal (problem+json) becomes its typed error; a tool's own answer passes."""
    if response.status_code >= 400 and is_problem_content_type(response.headers.get("content-type")):
        raise error_from_response(response)
    return response


def tool_json_object(response: httpx.Response) -> dict[str, Any]:
    """What the thin tool helpers return: the tool's JSON object, or the typed error."""
    if response.status_code >= 400:
        raise error_from_response(response)
    body = json_body(response)
    if not isinstance(body, dict):
        raise AgentGatewayError("unexpected_response", response.status_code, "expected a JSON object")
    return body
