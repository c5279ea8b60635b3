"""Drift test: the SDK's tables are the protocol's (protocol/protocol.json), value for value,
and the client follows them: the scope a call asks for, which refusals retry a token, which
tool names are accepted, which error class each code raises."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agentgw import _protocol
from agentgw.errors import (
    KNOWN_CODES,
    TOKEN_RETRY_CODES,
    PolicyDeniedError,
    RateLimitedError,
    TokenError,
    error_class_for,
)
from agentgw.tools import scope_for, tool_path

PROTOCOL = json.loads(
    (Path(__file__).resolve().parents[2] / "protocol" / "protocol.json").read_text(encoding="utf-8")
)


def test_generated_module_matches_the_json() -> None:
    assert PROTOCOL["errors"] == _protocol.ERRORS
    assert [dict(tool) for tool in _protocol.TOOLS] == [
        {**tool, "actions": tuple(tool["actions"])} for tool in PROTOCOL["tools"]
    ]
    assert set(PROTOCOL["tokenRetryCodes"]) == TOKEN_RETRY_CODES
    assert PROTOCOL["toolNamePattern"] == _protocol.TOOL_NAME_PATTERN
    assert set(PROTOCOL["errors"]) == KNOWN_CODES


def _concrete(path_pattern: str) -> str:
    path = path_pattern.removeprefix("^").removesuffix("$")
    path = path.replace("(?:/upload)?", "")
    path = path.replace("(?:me|[A-Za-z0-9._+-]+(?:@|%40)[A-Za-z0-9.-]+)", "me")
    path = re.sub(r"\[[^\]]+\]\{1,128\}", "abc123", path)
    return path.replace("(\\.json)?", ".json")


def test_each_action_asks_for_its_own_scope() -> None:
    for tool in PROTOCOL["tools"]:
        for action in tool["actions"]:
            path = _concrete(action["path"])
            assert scope_for(tool["name"], action["method"], path) == action["scope"], path
    assert scope_for("serpapi", "get", "/search?q=x") == "serpapi:search"
    with pytest.raises(ValueError, match="no known openai action for GET /v1/files"):
        scope_for("openai", "GET", "/v1/files")


def test_tool_names_follow_the_protocol() -> None:
    assert tool_path("mcp.files", "/x") == "/v1/tools/mcp.files/x"
    for bad in ["", "OpenAI", "../admin", "a/b", "x" * 65, "openai\n", "_x"]:
        with pytest.raises(ValueError, match="tool name"):
            tool_path(bad, "/x")


def test_error_classes_follow_the_families() -> None:
    assert error_class_for("budget_exceeded") is RateLimitedError
    assert issubclass(error_class_for("approval_required"), PolicyDeniedError)
    for code in PROTOCOL["tokenRetryCodes"]:
        assert issubclass(error_class_for(code), TokenError)
