"""Generated from protocol/protocol.json by scripts/gen-protocol.mjs: do not edit by hand.

The protocol's tables, shared by the gateway and the SDKs (see protocol/README.md).
"""

from __future__ import annotations

from typing import Any, Final

#: Tool names: lower-case, optionally one dotted part (e.g. "openai", "mcp.files").
TOOL_NAME_PATTERN: Final = "^[a-z][a-z0-9_-]{0,63}(\\.[a-z0-9][a-z0-9_-]{0,63})?$"

#: Refusals after which a client drops its cached tool token and retries once with a new one.
TOKEN_RETRY_CODES: Final = frozenset((
    "token_invalid",
    "token_expired",
    "token_revoked",
    "token_key_mismatch",
))

#: Every error code the gateway answers with: HTTP status, problem title, and the family SDKs group it in.
ERRORS: Final[dict[str, dict[str, Any]]] = {
    "signature_missing": {
        "status": 401,
        "title": "Request signature missing",
        "family": "signature",
    },
    "signature_invalid": {
        "status": 401,
        "title": "Request signature invalid",
        "family": "signature",
    },
    "signature_expired": {
        "status": 401,
        "title": "Request signature expired",
        "family": "signature",
    },
    "replay_detected": {
        "status": 401,
        "title": "Replayed request",
        "family": "signature",
    },
    "digest_mismatch": {
        "status": 401,
        "title": "Content digest mismatch",
        "family": "signature",
    },
    "unknown_key": {
        "status": 401,
        "title": "Unknown signing key",
        "family": "authentication",
    },
    "agent_suspended": {
        "status": 403,
        "title": "Agent suspended",
        "family": "authentication",
    },
    "token_missing": {
        "status": 401,
        "title": "Tool token missing",
        "family": "token",
    },
    "token_invalid": {
        "status": 401,
        "title": "Tool token invalid",
        "family": "token",
    },
    "token_expired": {
        "status": 401,
        "title": "Tool token expired",
        "family": "token",
    },
    "token_revoked": {
        "status": 401,
        "title": "Tool token revoked",
        "family": "token",
    },
    "token_key_mismatch": {
        "status": 401,
        "title": "Tool token bound to another key",
        "family": "token",
    },
    "scope_missing": {
        "status": 403,
        "title": "Scope missing",
        "family": "scope",
    },
    "policy_denied": {
        "status": 403,
        "title": "Denied by policy",
        "family": "policy",
    },
    "rate_limited": {
        "status": 429,
        "title": "Rate limit exceeded",
        "family": "rate_limit",
    },
    "budget_exceeded": {
        "status": 429,
        "title": "Budget exceeded",
        "family": "rate_limit",
    },
    "unknown_tool": {
        "status": 404,
        "title": "Unknown tool or action",
        "family": "request",
    },
    "invalid_request": {
        "status": 400,
        "title": "Invalid request",
        "family": "request",
    },
    "payload_too_large": {
        "status": 413,
        "title": "Payload too large",
        "family": "request",
    },
    "unsupported_encoding": {
        "status": 415,
        "title": "Unsupported content encoding",
        "family": "request",
    },
    "method_not_allowed": {
        "status": 405,
        "title": "Method not allowed",
        "family": "request",
    },
    "policy_invalid": {
        "status": 422,
        "title": "Policy refused",
        "family": "server",
    },
    "upstream_timeout": {
        "status": 504,
        "title": "Upstream timed out",
        "family": "upstream",
    },
    "upstream_unavailable": {
        "status": 503,
        "title": "Upstream unavailable",
        "family": "upstream",
    },
    "upstream_error": {
        "status": 502,
        "title": "Upstream error",
        "family": "upstream",
    },
    "unauthorized": {
        "status": 401,
        "title": "Admin authentication required",
        "family": "authentication",
    },
    "not_found": {
        "status": 404,
        "title": "Not found",
        "family": "request",
    },
    "conflict": {
        "status": 409,
        "title": "Conflict",
        "family": "request",
    },
    "approval_required": {
        "status": 403,
        "title": "Approval required",
        "family": "policy",
    },
    "approval_denied": {
        "status": 403,
        "title": "Approval denied",
        "family": "policy",
    },
    "tool_changed": {
        "status": 409,
        "title": "Tool definition changed",
        "family": "request",
    },
    "store_unavailable": {
        "status": 503,
        "title": "Shared store unavailable",
        "family": "server",
    },
    "not_ready": {
        "status": 503,
        "title": "Not ready",
        "family": "server",
    },
    "internal_error": {
        "status": 500,
        "title": "Internal error",
        "family": "server",
    },
}

#: The tools, their actions and the scope each needs; ``path`` matches the path after /v1/tools/{tool}.
TOOLS: Final[tuple[dict[str, Any], ...]] = (
    {
        "name": "openai",
        "description": "OpenAI API: chat completions, responses, embeddings, models",
        "clientBasePath": "/v1",
        "actions": (
            {
                "name": "chat.completions.create",
                "scope": "openai:chat",
                "method": "POST",
                "path": "^/v1/chat/completions$",
                "idempotent": False,
                "description": "Create a chat completion (streaming supported)",
            },
            {
                "name": "responses.create",
                "scope": "openai:chat",
                "method": "POST",
                "path": "^/v1/responses$",
                "idempotent": False,
                "description": "Create a model response (streaming supported)",
            },
            {
                "name": "embeddings.create",
                "scope": "openai:embeddings",
                "method": "POST",
                "path": "^/v1/embeddings$",
                "idempotent": False,
                "description": "Create embeddings",
            },
            {
                "name": "models.list",
                "scope": "openai:models",
                "method": "GET",
                "path": "^/v1/models$",
                "idempotent": True,
                "description": "List models",
            },
        ),
    },
    {
        "name": "gmail",
        "description": "Gmail API: send, list and read messages of the configured mailbox",
        "clientOrigin": "https://gmail.googleapis.com",
        "actions": (
            {
                "name": "messages.send",
                "scope": "gmail:send",
                "method": "POST",
                "path": "^(?:/upload)?/gmail/v1/users/(?:me|[A-Za-z0-9._+-]+(?:@|%40)[A-Za-z0-9.-]+)/messages/send$",
                "idempotent": False,
                "description": "Send an RFC 2822 message: JSON {raw} (base64url), or the message itself at /upload/… (uploadType=media or multipart)",
            },
            {
                "name": "messages.list",
                "scope": "gmail:read",
                "method": "GET",
                "path": "^/gmail/v1/users/(?:me|[A-Za-z0-9._+-]+(?:@|%40)[A-Za-z0-9.-]+)/messages$",
                "idempotent": True,
                "description": "List messages",
            },
            {
                "name": "messages.get",
                "scope": "gmail:read",
                "method": "GET",
                "path": "^/gmail/v1/users/(?:me|[A-Za-z0-9._+-]+(?:@|%40)[A-Za-z0-9.-]+)/messages/[A-Za-z0-9_-]{1,128}$",
                "idempotent": True,
                "description": "Get one message",
            },
        ),
    },
    {
        "name": "serpapi",
        "description": "SerpAPI web search",
        "actions": (
            {
                "name": "search",
                "scope": "serpapi:search",
                "method": "GET",
                "path": "^/search(\\.json)?$",
                "idempotent": True,
                "description": "Search the web",
            },
        ),
    },
    {
        "name": "http",
        "description": "Fetch allow-listed web pages (SSRF-safe)",
        "actions": (
            {
                "name": "fetch",
                "scope": "http:fetch",
                "method": "POST",
                "path": "^/fetch$",
                "idempotent": False,
                "description": "Fetch a URL on an allow-listed host",
            },
        ),
    },
)
