"""MCP servers behind the gateway with the official ``mcp`` client (``pip install agentgw[mcp]``).

``connect`` opens an initialized ``mcp.ClientSession`` on ``/v1/mcp/{server}``: every request the
client sends is signed (RFC 9421) and carries the tool token of ``mcp.{server}`` (scope
``mcp.{server}:use``), fetched, cached and renewed like any tool token::

    from agentgw import AsyncAgentGateway
    from agentgw.mcp import connect

    async with AsyncAgentGateway(url, keys) as gw, connect(gw, "repo") as session:
        tools = await session.list_tools()
        result = await session.call_tool("read_file", {"path": "README.md"})

The official ``mcp`` client is asyncio-only, so there is no blocking twin of this module.
``mcp_auth`` is the signing hook alone, for an ``httpx2.AsyncClient`` you build yourself.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING

import httpx2

from .async_client import AsyncAgentGateway
from .auth import AsyncBearerSource, BearerSource
from .httpx2 import AgentGatewayAuth
from .keys import KeyPair
from .sign import DEFAULT_TTL_SECONDS

if TYPE_CHECKING:
    from mcp import ClientSession, Implementation

__all__ = ["McpAuth", "connect", "mcp_auth", "mcp_path"]

_SERVER_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


def mcp_path(server: str) -> str:
    """``/v1/mcp/{server}``, refusing names that would change the path (the gateway's own rule)."""
    if not isinstance(server, str) or not _SERVER_NAME.fullmatch(server):
        raise ValueError(f"not an MCP server name: {server!r} (1 to 63 of a-z 0-9 _ -)")
    return f"/v1/mcp/{server}"


class McpAuth(AgentGatewayAuth):
    """``AgentGatewayAuth`` for one MCP endpoint: the tool token goes to that URL and nowhere else
    (a request elsewhere, e.g. after a redirect, raises ``ValueError`` instead of being sent)."""

    def __init__(
        self,
        endpoint: str,
        key_pair: KeyPair,
        *,
        bearer: BearerSource | AsyncBearerSource,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
    ) -> None:
        super().__init__(key_pair, bearer=bearer, ttl_seconds=ttl_seconds)
        self.endpoint = endpoint.rstrip("/")

    def _prepare(self, request: httpx2.Request, token: str | None) -> None:
        target = str(request.url.copy_with(query=None, fragment=None)).rstrip("/")
        if target != self.endpoint:
            raise ValueError(f"this MCP auth sends only to {self.endpoint}, not to {target}")
        super()._prepare(request, token)


def mcp_auth(gateway: AsyncAgentGateway, server: str, *, intent: str | None = None) -> McpAuth:
    """The signing ``httpx2.Auth`` for ``/v1/mcp/{server}`` with the (cached) ``mcp.{server}`` token."""
    tool = f"mcp.{server}"
    endpoint = gateway.base_url + mcp_path(server)
    bearer = gateway.tool_auth(tool, [f"{tool}:use"], intent).bearer
    assert bearer is not None
    return McpAuth(endpoint, gateway.key_pair, bearer=bearer, ttl_seconds=gateway.signature_ttl_seconds)


@asynccontextmanager
async def connect(
    gateway: AsyncAgentGateway | str,
    server: str,
    *,
    key: KeyPair | None = None,
    intent: str | None = None,
    client_info: Implementation | None = None,
    read_timeout_seconds: float | None = None,
    timeout: httpx2.Timeout | None = None,
) -> AsyncIterator[ClientSession]:
    """An initialized ``mcp.ClientSession`` with MCP server ``server`` through the gateway.

    ``gateway`` is an ``AsyncAgentGateway`` (its token cache is shared) or the gateway's public URL
    with the agent's ``key`` (the key identifies the agent; a client is opened and closed here).
    ``intent`` goes with the token request (policies may require one for some tools). Leaving the
    block ends the MCP session (``DELETE``) and closes the HTTP client.
    """
    # Imported here: mcp_auth alone needs only httpx2, not the mcp package.
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    path = mcp_path(server)
    async with AsyncExitStack() as stack:
        if isinstance(gateway, str):
            if not isinstance(key, KeyPair):
                raise TypeError("connect(url, server) needs key=<the agent's agentgw.KeyPair>")
            gw = await stack.enter_async_context(AsyncAgentGateway(gateway, key))
        elif isinstance(gateway, AsyncAgentGateway):
            if key is not None and key is not gateway.key_pair:
                raise ValueError("key= differs from the gateway client's key; pass one or the other")
            gw = gateway
        else:
            raise TypeError("gateway must be an agentgw.AsyncAgentGateway or the gateway's URL")
        # The MCP client's own defaults: a server may hold an event stream open for minutes.
        http = await stack.enter_async_context(
            httpx2.AsyncClient(
                auth=mcp_auth(gw, server, intent=intent), timeout=timeout or httpx2.Timeout(30.0, read=300.0)
            )
        )
        streams = await stack.enter_async_context(
            streamable_http_client(gw.base_url + path, http_client=http)
        )
        session = await stack.enter_async_context(
            ClientSession(
                streams[0], streams[1], read_timeout_seconds=read_timeout_seconds, client_info=client_info
            )
        )
        await session.initialize()
        yield session
