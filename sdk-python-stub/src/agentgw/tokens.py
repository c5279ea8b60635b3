"""Tool tokens (CONTRACT.md §4) and the per-(tool, scopes, intent) cache both clients share.

A cached token is reused until shortly before it expires; only one request per cache key is in
flight at a time (concurrent callers wait for it and share its token); a token the gateway
refused is dropped so the next caller fetches a new one.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import AgentGatewayError

__all__ = ["AsyncTokenCache", "TokenCache", "TokenKey", "ToolToken", "token_key"]

#: Refresh this many seconds before expiry (at most half the token's lifetime).
DEFAULT_REFRESH_MARGIN_SECONDS = 30.0

TokenKey = tuple[str, tuple[str, ...], str | None]


def token_key(tool: str, scopes: Sequence[str], intent: str | None) -> TokenKey:
    """Scopes are a set: the same scopes in another order share a token."""
    if isinstance(scopes, str):
        raise TypeError("scopes must be a sequence of scope strings, not one string")
    return (tool, tuple(sorted(set(scopes))), intent)


@dataclass(frozen=True)
class ToolToken:
    """A tool token as ``POST /v1/tokens`` returned it. ``expires_at`` is on the local clock
    (request time + ``expiresIn``), so clock skew with the gateway does not matter."""

    token: str
    jti: str
    tool: str
    scopes: tuple[str, ...]
    expires_in: int
    expires_at: float
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    intent: str | None = None

    def __repr__(self) -> str:  # the token is a credential: keep it out of logs
        return (
            f"ToolToken(tool={self.tool!r}, scopes={self.scopes!r}, jti={self.jti!r}, "
            f"expires_in={self.expires_in})"
        )

    def needs_refresh(self, now: float, margin: float) -> bool:
        return now >= self.expires_at - min(margin, self.expires_in / 2)

    @classmethod
    def from_response(cls, body: Any, *, requested_at: float, intent: str | None, status: int) -> ToolToken:
        """Validates the gateway's answer; a malformed one is an error, never a half token."""
        if not isinstance(body, Mapping):
            raise AgentGatewayError("unexpected_response", status, "token response is not a JSON object")
        token, jti, tool = body.get("token"), body.get("jti"), body.get("tool")
        expires_in, scopes = body.get("expiresIn"), body.get("scopes")
        if not isinstance(token, str) or not token:
            raise AgentGatewayError("unexpected_response", status, "token response lacks token")
        if not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in <= 0:
            raise AgentGatewayError(
                "unexpected_response", status, "token response lacks a positive expiresIn"
            )
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise AgentGatewayError("unexpected_response", status, "token response lacks scopes")
        token_type = body.get("tokenType")
        return cls(
            token=token,
            jti=jti if isinstance(jti, str) else "",
            tool=tool if isinstance(tool, str) else "",
            scopes=tuple(scopes),
            expires_in=expires_in,
            expires_at=requested_at + expires_in,
            token_type=token_type if isinstance(token_type, str) else "Bearer",
            intent=intent,
        )


class _CacheState:
    def __init__(self, clock: Callable[[], float], refresh_margin: float) -> None:
        if refresh_margin < 0:
            raise ValueError("refresh_margin must be >= 0 seconds")
        self.clock = clock
        self.refresh_margin = refresh_margin
        self.tokens: dict[TokenKey, ToolToken] = {}

    def fresh(self, key: TokenKey) -> ToolToken | None:
        cached = self.tokens.get(key)
        if cached is None or cached.needs_refresh(self.clock(), self.refresh_margin):
            return None
        return cached

    def drop(self, key: TokenKey, token: str) -> None:
        # Only the refused token: a newer one fetched meanwhile stays.
        cached = self.tokens.get(key)
        if cached is not None and cached.token == token:
            del self.tokens[key]


class TokenCache:
    """Thread-safe cache for sync clients. ``fetch(tool, scopes, intent)`` asks the gateway."""

    def __init__(
        self,
        fetch: Callable[[str, tuple[str, ...], str | None], ToolToken],
        *,
        clock: Callable[[], float] = time.time,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN_SECONDS,
    ) -> None:
        self._fetch = fetch
        self._state = _CacheState(clock, refresh_margin)
        self._guard = threading.Lock()
        self._locks: dict[TokenKey, threading.Lock] = {}

    def get(self, tool: str, scopes: Sequence[str], intent: str | None = None) -> ToolToken:
        key = token_key(tool, scopes, intent)
        cached = self._state.fresh(key)
        if cached is not None:
            return cached
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # single flight: whoever waited here finds the token the first caller stored
            cached = self._state.fresh(key)
            if cached is not None:
                return cached
            token = self._fetch(key[0], key[1], key[2])
            self._state.tokens[key] = token
            return token

    def invalidate(self, tool: str, scopes: Sequence[str], intent: str | None, token: str) -> None:
        with self._guard:
            self._state.drop(token_key(tool, scopes, intent), token)

    def clear(self) -> None:
        with self._guard:
            self._state.tokens.clear()


class AsyncTokenCache:
    """The same cache for asyncio clients (one ``asyncio.Lock`` per key)."""

    def __init__(
        self,
        fetch: Callable[[str, tuple[str, ...], str | None], Awaitable[ToolToken]],
        *,
        clock: Callable[[], float] = time.time,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN_SECONDS,
    ) -> None:
        self._fetch = fetch
        self._state = _CacheState(clock, refresh_margin)
        self._locks: dict[TokenKey, asyncio.Lock] = {}

    async def get(self, tool: str, scopes: Sequence[str], intent: str | None = None) -> ToolToken:
        key = token_key(tool, scopes, intent)
        cached = self._state.fresh(key)
        if cached is not None:
            return cached
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._state.fresh(key)
            if cached is not None:
                return cached
            token = await self._fetch(key[0], key[1], key[2])
            self._state.tokens[key] = token
            return token

    def invalidate(self, tool: str, scopes: Sequence[str], intent: str | None, token: str) -> None:
        self._state.drop(token_key(tool, scopes, intent), token)

    def clear(self) -> None:
        self._state.tokens.clear()


class BoundToken:
    """A bearer source for ``AgentGatewayAuth``: one (tool, scopes, intent) of a sync cache."""

    def __init__(self, cache: TokenCache, tool: str, scopes: Sequence[str], intent: str | None) -> None:
        self._cache, self._tool, self._scopes, self._intent = cache, tool, tuple(scopes), intent

    def get_token(self) -> str:
        return self._cache.get(self._tool, self._scopes, self._intent).token

    def invalidate(self, token: str) -> None:
        self._cache.invalidate(self._tool, self._scopes, self._intent, token)


class AsyncBoundToken:
    """A bearer source for ``AgentGatewayAuth``: one (tool, scopes, intent) of an async cache."""

    def __init__(self, cache: AsyncTokenCache, tool: str, scopes: Sequence[str], intent: str | None) -> None:
        self._cache, self._tool, self._scopes, self._intent = cache, tool, tuple(scopes), intent

    async def aget_token(self) -> str:
        return (await self._cache.get(self._tool, self._scopes, self._intent)).token

    def invalidate(self, token: str) -> None:
        self._cache.invalidate(self._tool, self._scopes, self._intent, token)
