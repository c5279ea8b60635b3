"""``AgentGatewayAuth``: an ``httpx.Auth`` that signs every request for the gateway.

Plug it into any httpx client (``httpx.Client(auth=AgentGatewayAuth(key_pair))``) and every
request carries the contract's RFC 9421 signature. Given a ``bearer`` token source (what
``AgentGateway.tool_auth`` builds) it also sets ``Authorization: Bearer <tool token>`` before
signing, and when the gateway refuses that token (``token_*``) it drops it and sends the request
once more, with a new token and a new signature.

The signing flow is written once against the small surface httpx and httpx2 share, so
``agentgw.httpx2.AgentGatewayAuth`` (for openai >= 3, which uses httpx2) is the same code.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Mapping, MutableMapping
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

import httpx

from .errors import TOKEN_RETRY_CODES, parse_problem
from .keys import KeyPair
from .sign import DEFAULT_LABEL, DEFAULT_TTL_SECONDS, sign_request

__all__ = ["AgentGatewayAuth", "AsyncBearerSource", "BearerSource"]


@runtime_checkable
class BearerSource(Protocol):
    """Gives the tool token to send (sync clients) and forgets one the gateway refused."""

    def get_token(self) -> str: ...

    def invalidate(self, token: str) -> None: ...


@runtime_checkable
class AsyncBearerSource(Protocol):
    """Gives the tool token to send (async clients) and forgets one the gateway refused."""

    def aget_token(self) -> Awaitable[str]: ...

    def invalidate(self, token: str) -> None: ...


class _Request(Protocol):
    @property
    def method(self) -> str: ...
    @property
    def url(self) -> Any: ...
    @property
    def headers(self) -> MutableMapping[str, str]: ...
    @property
    def content(self) -> bytes: ...
    def read(self) -> bytes: ...
    async def aread(self) -> bytes: ...


class _Response(Protocol):
    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    def read(self) -> bytes: ...
    async def aread(self) -> bytes: ...


RequestT = TypeVar("RequestT", bound=_Request)
ResponseT = TypeVar("ResponseT", bound=_Response)


class SigningFlow(Generic[RequestT, ResponseT]):
    """The auth flow shared by the httpx and httpx2 ``Auth`` classes."""

    requires_request_body = True

    def __init__(
        self,
        key_pair: KeyPair,
        *,
        bearer: BearerSource | AsyncBearerSource | None = None,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        label: str = DEFAULT_LABEL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not isinstance(key_pair, KeyPair):
            raise TypeError("key_pair must be an agentgw.KeyPair (see generate_key_pair, key_pair_from_jwk)")
        if bearer is not None and not isinstance(bearer, BearerSource | AsyncBearerSource):
            raise TypeError("bearer must have get_token() or aget_token(), and invalidate(token)")
        if not 0 < ttl_seconds <= 300:
            raise ValueError("ttl_seconds must be between 1 and 300 (the gateway's limit)")
        self.key_pair = key_pair
        self.bearer = bearer
        self.ttl_seconds = ttl_seconds
        self.label = label
        self.clock = clock

    def sign(self, request: RequestT) -> None:
        """Add Content-Digest (with a body), Signature-Input and Signature to ``request``."""
        signature = sign_request(
            self.key_pair,
            request.method,
            str(request.url),
            dict(request.headers.items()),
            request.content,
            label=self.label,
            ttl_seconds=self.ttl_seconds,
            clock=self.clock,
        )
        for name, value in signature.headers().items():
            request.headers[name] = value

    def sync_auth_flow(self, request: RequestT) -> Generator[RequestT, ResponseT, None]:
        request.read()
        token = self._sync_token()
        self._prepare(request, token)
        response = yield request
        if token is not None and self._token_refused(response, response.read):
            assert isinstance(self.bearer, BearerSource)
            self.bearer.invalidate(token)
            self._prepare(request, self._sync_token())
            yield request

    async def async_auth_flow(self, request: RequestT) -> AsyncGenerator[RequestT, ResponseT]:
        await request.aread()
        token = await self._async_token()
        self._prepare(request, token)
        response = yield request
        if token is not None and response.status_code == 401:
            body = await response.aread()
            if self._token_refused(response, lambda: body):
                assert self.bearer is not None
                self.bearer.invalidate(token)
                self._prepare(request, await self._async_token())
                yield request

    def _prepare(self, request: RequestT, token: str | None) -> None:
        if token is not None:
            request.headers["authorization"] = f"Bearer {token}"
        self.sign(request)  # a resent request gets a fresh nonce: the gateway refuses replays

    def _sync_token(self) -> str | None:
        if self.bearer is None:
            return None
        if not isinstance(self.bearer, BearerSource):
            raise TypeError("this bearer source is async-only: use it with an httpx.AsyncClient")
        return self.bearer.get_token()

    async def _async_token(self) -> str | None:
        if self.bearer is None:
            return None
        if isinstance(self.bearer, AsyncBearerSource):
            return await self.bearer.aget_token()
        return self.bearer.get_token()

    @staticmethod
    def _token_refused(response: ResponseT, read_body: Callable[[], bytes]) -> bool:
        """True when the gateway refused the tool token itself (worth one retry with a new one)."""
        if response.status_code != 401:
            return False
        problem = parse_problem(response.headers.get("content-type"), read_body())
        return problem.get("code") in TOKEN_RETRY_CODES


class AgentGatewayAuth(SigningFlow[httpx.Request, httpx.Response], httpx.Auth):
    """Signs every request of an ``httpx.Client`` / ``httpx.AsyncClient`` for the gateway."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # httpx calls sync_auth_flow / async_auth_flow (overridden above); this is the
        # generic entry other callers may use.
        return self.sync_auth_flow(request)
