"""What the thin tool helpers send (CONTRACT.md §6), shared by the sync and async clients.

Each builder validates its arguments and returns a ``ToolRequest``; the clients only execute it.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from ._protocol import TOOL_NAME_PATTERN, TOOLS

__all__ = [
    "ToolRequest",
    "gmail_send_request",
    "http_fetch_request",
    "openai_chat_request",
    "scope_for",
    "serpapi_search_request",
    "tool_path",
]

_TOOL_NAME = re.compile(TOOL_NAME_PATTERN)

#: (method, path pattern, scope) of every action, per tool: the protocol's one catalogue.
_ACTION_SCOPES: dict[str, tuple[tuple[str, re.Pattern[str], str], ...]] = {
    tool["name"]: tuple((a["method"], re.compile(a["path"]), a["scope"]) for a in tool["actions"])
    for tool in TOOLS
}


@dataclass(frozen=True)
class ToolRequest:
    tool: str
    method: str
    #: the tool's own REST path (``tool_call`` puts ``/v1/tools/{tool}`` in front)
    path: str
    scopes: tuple[str, ...]
    json: Any = None
    params: Mapping[str, str] | None = field(default=None)


def tool_path(tool: str, path: str) -> str:
    """``/v1/tools/{tool}/{path}``: the tool's own REST path under the gateway."""
    if not isinstance(tool, str) or not _TOOL_NAME.fullmatch(tool):
        raise ValueError(f"tool must be a tool name such as 'openai', got {tool!r}")
    if not isinstance(path, str) or "?" in path or "#" in path:
        raise ValueError("path is the tool's REST path without query (use params=) or fragment")
    return f"/v1/tools/{tool}/{path.lstrip('/')}"


def scope_for(tool: str, method: str, path: str) -> str:
    """The scope the action at ``method path`` of ``tool`` needs: ``tool_call``'s default ask."""
    bare = path.split("?", 1)[0]
    if not bare.startswith("/"):
        bare = "/" + bare
    for action_method, pattern, scope in _ACTION_SCOPES.get(tool, ()):
        if action_method == method.upper() and pattern.fullmatch(bare):
            return scope
    raise ValueError(f"no known {tool} action for {method.upper()} {bare}: pass scopes= explicitly")


def openai_chat_request(
    messages: Sequence[Mapping[str, Any]], model: str, extra: Mapping[str, Any]
) -> ToolRequest:
    if not messages:
        raise ValueError("messages must not be empty")
    if "stream" in extra:
        raise ValueError("openai_chat returns one JSON answer; stream through the openai client hook")
    body = {"model": model, "messages": list(messages), **extra}
    return ToolRequest("openai", "POST", "/v1/chat/completions", ("openai:chat",), body)


def gmail_send_request(to: str | Sequence[str], subject: str, text: str, sender: str | None) -> ToolRequest:
    """Builds the RFC 2822/5322 message and sends it base64url-encoded as Gmail's ``raw``."""
    message = EmailMessage()
    # EmailMessage refuses CR/LF in header values, so no header can be injected through them.
    message["To"] = to if isinstance(to, str) else ", ".join(to)
    if sender is not None:
        message["From"] = sender
    message["Subject"] = subject
    message.set_content(text)
    raw = base64.urlsafe_b64encode(message.as_bytes()).decode("ascii")
    path = "/gmail/v1/users/me/messages/send"
    return ToolRequest("gmail", "POST", path, ("gmail:send",), {"raw": raw})


def serpapi_search_request(q: str, extra: Mapping[str, str]) -> ToolRequest:
    if not q:
        raise ValueError("q must not be empty")
    if "api_key" in extra:
        raise ValueError("the gateway adds SerpAPI's api_key; the agent never holds it")
    params = {"q": q, **extra}
    return ToolRequest("serpapi", "GET", "/search.json", ("serpapi:search",), None, params)


def http_fetch_request(
    url: str, method: str, headers: Mapping[str, str] | None, body: str | None
) -> ToolRequest:
    if not url.startswith(("http://", "https://")):
        raise ValueError("url must be an absolute http(s) URL")
    payload: dict[str, Any] = {"url": url, "method": method.upper()}
    if headers is not None:
        payload["headers"] = dict(headers)
    if body is not None:
        payload["body"] = body
    return ToolRequest("http", "POST", "/fetch", ("http:fetch",), payload)
