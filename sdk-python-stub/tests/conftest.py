"""Shared fixtures: the agent key, a fake gateway on 127.0.0.1, and for end-to-end tests the
real gateway process in front of the fake upstream tools (test/fakes), started once a session."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from agentgw import KeyPair, generate_key_pair
from fake_gateway import FakeGateway
from fakes_process import FakesProcess, start_fakes_process
from processes import stop_process

REPO_ROOT = Path(__file__).resolve().parents[2]
VECTORS_DIR = REPO_ROOT / "test" / "vectors"
GATEWAY_MAIN = REPO_ROOT / "gateway" / "dist" / "main.js"


@pytest.fixture
def key_pair() -> KeyPair:
    return generate_key_pair()


@pytest.fixture
def fake_gateway(key_pair: KeyPair) -> Iterator[FakeGateway]:
    gateway = FakeGateway(key_pair.public_key).start()
    try:
        yield gateway
    finally:
        gateway.stop()


# -- the real gateway process (end-to-end) ------------------------------------------------------


@dataclass
class GatewayProcess:
    """A running ``node gateway/dist/main.js`` with its own data dir and admin token."""

    url: str
    admin_token: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def admin(self, method: str, path: str, json: Any = None) -> httpx.Response:
        return httpx.request(
            method, self.url + path, json=json, headers={"authorization": f"Bearer {self.admin_token}"}
        )

    def register_agent(
        self, key_pair: KeyPair, scopes: list[str], name: str = "python-e2e", tier: str | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name, "publicKey": key_pair.public_key_b64url(), "scopes": scopes}
        if tier is not None:
            body["tier"] = tier
        response = self.admin("POST", "/admin/agents", body)
        assert response.status_code == 201, response.text
        agent: dict[str, Any] = response.json()
        return agent

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        stop_process(self.process)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_gateway_process(
    data_dir: Path, extra_env: dict[str, str] | None = None, args: list[str] | None = None
) -> GatewayProcess:
    """Starts the built gateway on a free loopback port and waits for ``GET /readyz`` = 200.
    ``args`` go to ``main.js`` (e.g. ``["--config", path]``)."""
    if not GATEWAY_MAIN.exists():
        raise FileNotFoundError(f"{GATEWAY_MAIN} is missing: run `npm run build` first")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    admin_token = secrets.token_urlsafe(32)
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "AGENTGW_PUBLIC_URL": url,
        "AGENTGW_DATA_DIR": str(data_dir),
        "AGENTGW_ADMIN_TOKEN": admin_token,
        **(extra_env or {}),
    }
    log_path = data_dir / "gateway.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["node", str(GATEWAY_MAIN), *(args or [])],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    running = GatewayProcess(url, admin_token, process, log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gateway exited with {process.returncode}:\n{running.log()}")
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return running
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    running.stop()
    raise TimeoutError(f"gateway not ready within 30 s:\n{running.log()}")


#: The rate-limit tier for the rate_limited test: 2 requests per 10 s, bursts of 2. Other agents
#: keep the default tier (absent from the file, so the contract's 600 a minute applies).
TINY_TIER_CONFIG = {
    "rateLimits": {"tiers": {"tiny": {"perAgent": {"points": 2, "windowSeconds": 10, "burst": 2}}}}
}


@pytest.fixture(scope="session")
def fakes() -> Iterator[FakesProcess]:
    """The fake OpenAI, Gmail, SerpAPI and website (``test/fakes/serve.ts``), once a session."""
    running = start_fakes_process()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def gateway(fakes: FakesProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    """The real gateway (needs ``npm run build``) with the example policy (``policies/``), every
    tool pointed at the fakes, and the ``tiny`` rate-limit tier from a ``--config`` file."""
    data_dir = tmp_path_factory.mktemp("gateway")
    config_path = data_dir / "config.json"
    config_path.write_text(json.dumps(TINY_TIER_CONFIG))
    running = start_gateway_process(data_dir, fakes.env, ["--config", str(config_path)])
    try:
        yield running
    finally:
        running.stop()
