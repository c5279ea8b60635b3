"""``AgentGatewayAuth`` for httpx2, the HTTP client the official ``openai`` package uses from
version 3 on. Same flow as ``agentgw.AgentGatewayAuth``; needs ``pip install agentgw[httpx2]``.

    import httpx2, openai
    from agentgw.httpx2 import AgentGatewayAuth

    client = openai.OpenAI(
        base_url=gateway.tool_url("openai") + "/v1",
        api_key="set-by-the-gateway",  # replaced by the tool token; the real key stays in the gateway
        http_client=httpx2.Client(auth=AgentGatewayAuth.for_tool(gateway, "openai", ["openai:chat"])),
    )
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING

import httpx2

from .auth import SigningFlow
from .tokens import AsyncBoundToken, BoundToken

if TYPE_CHECKING:
    from .async_client import AsyncAgentGateway
    from .client import AgentGateway

__all__ = ["AgentGatewayAuth"]


class AgentGatewayAuth(SigningFlow[httpx2.Request, httpx2.Response], httpx2.Auth):
    """Signs every request of an ``httpx2.Client`` / ``httpx2.AsyncClient`` for the gateway."""

    def auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response, None]:
        return self.sync_auth_flow(request)

    @classmethod
    def for_tool(
        cls,
        gateway: AgentGateway | AsyncAgentGateway,
        tool: str,
        scopes: Sequence[str],
        intent: str | None = None,
    ) -> AgentGatewayAuth:
        """Signs and sets the gateway client's cached token for (tool, scopes, intent)."""
        source = gateway.tool_auth(tool, scopes, intent).bearer
        assert isinstance(source, BoundToken | AsyncBoundToken)
        return cls(gateway.key_pair, bearer=source, ttl_seconds=gateway.signature_ttl_seconds)
