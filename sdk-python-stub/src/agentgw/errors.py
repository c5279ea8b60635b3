"""Typed errors mapped from the gateway's problem ``code`` (RFC 9457, CONTRACT.md §7).

Callers either catch a group (``TokenError``, ``SignatureError`` …) or switch on ``error.code``,
which is stable. ``AgentGatewayError`` itself is raised for codes this SDK does not know yet and
for error responses that are not problem documents.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from ._protocol import ERRORS, TOKEN_RETRY_CODES

__all__ = [
    "KNOWN_CODES",
    "TOKEN_RETRY_CODES",
    "AgentGatewayError",
    "ApprovalDeniedError",
    "ApprovalRequiredError",
    "ApprovalWaitError",
    "AuthenticationError",
    "AuthorizationError",
    "PolicyDeniedError",
    "RateLimitedError",
    "RequestError",
    "ScopeMissingError",
    "ServerError",
    "SignatureError",
    "TokenError",
    "UpstreamError",
    "error_class_for",
    "error_from_response",
]

# TOKEN_RETRY_CODES (after which a tool call drops its cached token and retries once) and the
# codes' families come from the protocol's tables (protocol/protocol.json), shared with the
# gateway and the JS SDK.


class AgentGatewayError(Exception):
    """An error response from the gateway. ``problem`` is the whole problem document."""

    def __init__(
        self,
        code: str,
        status: int,
        detail: str = "",
        *,
        problem: Mapping[str, Any] | None = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code} ({status}): {detail}" if detail else f"{code} ({status})")
        self.code = code
        self.status = status
        self.detail = detail
        self.problem: dict[str, Any] = dict(problem or {})
        self.request_id = request_id
        self.headers: dict[str, str] = dict(headers or {})

    @property
    def title(self) -> str | None:
        title = self.problem.get("title")
        return title if isinstance(title, str) else None


class SignatureError(AgentGatewayError):
    """The request's proof was refused: signature missing/invalid/expired, replay, digest."""


class AuthenticationError(AgentGatewayError):
    """The signing key or its agent is not usable: unknown key, suspended agent, admin auth."""


class TokenError(AgentGatewayError):
    """The tool token was missing, invalid, expired, revoked or bound to another key."""


class AuthorizationError(AgentGatewayError):
    """The agent may not do this (scope or policy)."""


class ScopeMissingError(AuthorizationError):
    """The token or the agent lacks a scope the action needs."""


class PolicyDeniedError(AuthorizationError):
    """The policy said no; ``reasons`` are the policy's own words."""

    @property
    def reasons(self) -> list[str]:
        reasons = self.problem.get("reasons")
        return [r for r in reasons if isinstance(r, str)] if isinstance(reasons, list) else []


class ApprovalRequiredError(PolicyDeniedError):
    """The policy wants a person to approve this exact request: wait (``wait_for_approval``), then retry."""

    @property
    def approval_id(self) -> str:
        return str(self.problem.get("approvalId", ""))

    @property
    def reason(self) -> str:
        return str(self.problem.get("reason", ""))

    @property
    def expires_at(self) -> str:
        return str(self.problem.get("expiresAt", ""))


class ApprovalDeniedError(PolicyDeniedError):
    """A person denied this exact request; ``note`` is what they wrote."""

    @property
    def approval_id(self) -> str:
        return str(self.problem.get("approvalId", ""))

    @property
    def note(self) -> str | None:
        note = self.problem.get("note")
        return note if isinstance(note, str) else None

    @property
    def decided_by(self) -> str | None:
        by = self.problem.get("decidedBy")
        return by if isinstance(by, str) else None


class ApprovalWaitError(AgentGatewayError):
    """Waiting for an approval ended without one.

    ``outcome`` is ``"expired"``, ``"timeout"`` or ``"cancelled"``.
    """

    def __init__(self, approval_id: str, outcome: str) -> None:
        detail = {
            "expired": f"approval {approval_id} expired before anybody decided",
            "timeout": f"no decision on approval {approval_id} within the wait",
            "cancelled": f"the wait for approval {approval_id} was cancelled",
        }.get(outcome, outcome)
        super().__init__("approval_required", 403, detail, problem={"approvalId": approval_id})
        self.approval_id = approval_id
        self.outcome = outcome


class RateLimitedError(AgentGatewayError):
    """Rate limit or budget exceeded; ``retry_after`` is in seconds when the gateway said."""

    @property
    def retry_after(self) -> float | None:
        value = self.headers.get("retry-after")
        if value is None:
            return None
        try:
            seconds = float(value)
        except ValueError:
            return None  # an HTTP-date is allowed by RFC 9110 but the gateway sends seconds
        return seconds if seconds >= 0 else None


class RequestError(AgentGatewayError):
    """The request itself was wrong: unknown tool, invalid, too large, not found, conflict."""


class UpstreamError(AgentGatewayError):
    """The tool behind the gateway failed: timeout (504), unavailable (503), error (502)."""


class ServerError(AgentGatewayError):
    """The gateway could not serve the request (not ready, internal error, policy refused)."""


#: The error class of each family of codes in the protocol's error table.
_FAMILY_CLASSES: dict[str, type[AgentGatewayError]] = {
    "signature": SignatureError,
    "authentication": AuthenticationError,
    "token": TokenError,
    "scope": ScopeMissingError,
    "policy": PolicyDeniedError,
    "rate_limit": RateLimitedError,
    "request": RequestError,
    "upstream": UpstreamError,
    "server": ServerError,
}

_CODE_CLASSES: dict[str, type[AgentGatewayError]] = {
    code: _FAMILY_CLASSES[spec["family"]] for code, spec in ERRORS.items()
}

# The approval codes carry their own data (approval id, note): narrower classes of the policy family.
_CODE_CLASSES["approval_required"] = ApprovalRequiredError
_CODE_CLASSES["approval_denied"] = ApprovalDeniedError

KNOWN_CODES = frozenset(_CODE_CLASSES)


def error_class_for(code: str) -> type[AgentGatewayError]:
    return _CODE_CLASSES.get(code, AgentGatewayError)


def is_problem_content_type(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == "application/problem+json"


def parse_problem(content_type: str | None, body: bytes) -> dict[str, Any]:
    """The problem document in an error body, or ``{}`` when the body is not one."""
    if not is_problem_content_type(content_type):
        return {}
    try:
        parsed = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def error_from_response(response: httpx.Response) -> AgentGatewayError:
    """The typed error for an error response (its body must be read). Never raises itself."""
    problem = parse_problem(response.headers.get("content-type"), response.content)
    code = problem.get("code")
    if not isinstance(code, str) or not code:
        code = "unexpected_response"
    detail = problem.get("detail")
    if not isinstance(detail, str):
        detail = f"HTTP {response.status_code} from {response.request.method} {response.request.url.path}"
    request_id = problem.get("requestId")
    if not isinstance(request_id, str):
        request_id = response.headers.get("x-request-id")
    return error_class_for(code)(
        code,
        response.status_code,
        detail,
        problem=problem,
        request_id=request_id,
        headers={name.lower(): value for name, value in response.headers.items()},
    )


def json_body(response: httpx.Response) -> Any:
    """The JSON of a successful response; a body that is not JSON is an ``unexpected_response``."""
    try:
        return json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise AgentGatewayError(
            "unexpected_response", response.status_code, "the response body is not JSON"
        ) from None
