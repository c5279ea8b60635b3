"""MCP end to end with the official Python MCP client (``mcp`` 2.x, on httpx2): ``agentgw.mcp.connect``
(and its signing hook ``mcp_auth`` alone) for tool ``mcp.repo``, through the real gateway (example
policy), to a real MCP server (``test/fakes/serve-mcp-repo.ts``, on the official TypeScript SDK):
lists only allowed tools, returns results through obligations, and a denial carries the policy's
reasons in the MCP error."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentgw import AsyncAgentGateway, generate_key_pair
from conftest import REPO_ROOT, GatewayProcess, start_gateway_process

mcp = pytest.importorskip("mcp")
import httpx2  # noqa: E402
from mcp import ClientSession, MCPError  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402

from agentgw.mcp import connect, mcp_auth  # noqa: E402

SERVE_MCP_REPO = REPO_ROOT / "test" / "fakes" / "serve-mcp-repo.ts"


@pytest.fixture(scope="module")
def repo_url() -> Iterator[str]:
    process = subprocess.Popen(
        ["node", "--import", "tsx", str(SERVE_MCP_REPO)],
        cwd=REPO_ROOT / "test",
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    url = process.stdout.readline().decode().strip()
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def mcp_gateway(repo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    data_dir: Path = tmp_path_factory.mktemp("mcp-gateway")
    config_path = data_dir / "config.json"
    config_path.write_text(json.dumps({"mcp": {"servers": {"repo": {"url": repo_url}}}}))
    running = start_gateway_process(data_dir, None, ["--config", str(config_path)])
    try:
        yield running
    finally:
        running.stop()


async def test_connect_lists_calls_and_is_refused_with_the_policys_reasons(
    mcp_gateway: GatewayProcess,
) -> None:
    keys = generate_key_pair()
    mcp_gateway.register_agent(keys, ["mcp.repo:use"], name="python-mcp")
    async with connect(mcp_gateway.url, "repo", key=keys) as session:
        listed = await session.list_tools()
        assert [tool.name for tool in listed.tools] == ["read_file"]

        result = await session.call_tool("read_file", {"path": "README.md"})
        assert result.structured_content is not None
        assert result.structured_content["content"] == "# demo repository\n"
        assert "token" not in result.structured_content, "the policy's redact obligation applied"

        with pytest.raises(MCPError, match="policy_denied") as refused:
            await session.call_tool("delete_repo", {})
        assert "delete_repo is never allowed through the gateway" in str(refused.value)
        assert "delete_repo is never allowed through the gateway" in refused.value.error.data["reasons"]


async def test_connect_with_a_gateway_client_and_an_intent(mcp_gateway: GatewayProcess) -> None:
    keys = generate_key_pair()
    mcp_gateway.register_agent(keys, ["mcp.repo:use"], name="python-mcp-intent")
    async with AsyncAgentGateway(mcp_gateway.url, keys) as gw:
        async with connect(gw, "repo", intent="file the build failure we saw") as session:
            listed = await session.list_tools()
            assert sorted(tool.name for tool in listed.tools) == ["create_issue", "read_file"]
        # Without the intent the policy neither lists nor allows create_issue.
        async with connect(gw, "repo") as session:
            with pytest.raises(MCPError, match="create_issue needs a stated intent"):
                await session.call_tool("create_issue", {"title": "x"})


async def test_the_signing_hook_alone_on_the_official_client(mcp_gateway: GatewayProcess) -> None:
    keys = generate_key_pair()
    mcp_gateway.register_agent(keys, ["mcp.repo:use"], name="python-mcp-hook")
    async with (
        AsyncAgentGateway(mcp_gateway.url, keys) as gw,
        httpx2.AsyncClient(auth=mcp_auth(gw, "repo")) as http_client,
        streamable_http_client(f"{mcp_gateway.url}/v1/mcp/repo", http_client=http_client) as streams,
        ClientSession(streams[0], streams[1]) as session,
    ):
        await session.initialize()
        assert [tool.name for tool in (await session.list_tools()).tools] == ["read_file"]
