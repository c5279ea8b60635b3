"""What the sync and async clients decide the same way, free of I/O, so the two clients
differ only in how they send (``AgentGateway`` blocks, ``AsyncAgentGateway`` awaits)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import httpx

from .errors import (
    AgentGatewayError,
    ApprovalDeniedError,
    ApprovalWaitError,
    error_from_response,
    is_problem_content_type,
    json_body,
)

#: The gateway's default approval lifetime: a sensible longest wait.
DEFAULT_APPROVAL_WAIT_SECONDS = 900.0
_APPROVAL_ID = re.compile(r"^apr_[0-9A-Z]{26}$")


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


def approval_path(approval_id: str) -> str:
    """``/v1/approvals/{id}``, refusing anything that is not an approval id (it goes into a path)."""
    if not isinstance(approval_id, str) or not _APPROVAL_ID.match(approval_id):
        raise ValueError(f"not an approval id: {approval_id!r}")
    return f"/v1/approvals/{approval_id}"


def approval_outcome(approval: Any, approval_id: str) -> bool:
    """True when approved, False while pending; raises when denied or expired."""
    status = approval.get("status") if isinstance(approval, dict) else None
    if status == "approved":
        return True
    if status == "denied":
        note = approval.get("note")
        raise ApprovalDeniedError(
            "approval_denied",
            403,
            f"approval {approval_id} was denied" + (f": {note}" if isinstance(note, str) and note else ""),
            problem={"approvalId": approval_id, "note": note, "decidedBy": approval.get("decidedBy")},
        )
    if status == "expired":
        raise ApprovalWaitError(approval_id, "expired")
    return False


def next_poll(interval: float, deadline: float, now: float, approval_id: str) -> tuple[float, float]:
    """How long to sleep before the next poll, and the interval after it (grows by half, at most 10 s)."""
    left = deadline - now
    if left <= 0:
        raise ApprovalWaitError(approval_id, "timeout")
    return min(interval, left), min(interval * 1.5, 10.0)
