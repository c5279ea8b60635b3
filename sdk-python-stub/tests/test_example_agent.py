"""examples/python_agent.py, run as a newcomer would: the first run makes a key and prints how to
register it, the admin registers exactly what it printed, the second run does every step."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT, GatewayProcess
from fakes_process import FakesProcess

EXAMPLE = REPO_ROOT / "examples" / "python_agent.py"


def run_example(key_file: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLE), str(key_file)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=key_file.parent,
        timeout=60,
        check=False,
    )


def test_example_agent_first_run_then_every_step(
    gateway: GatewayProcess, fakes: FakesProcess, tmp_path: Path
) -> None:
    key_file = tmp_path / "agent-key.pem"
    env = {"AGENTGW_URL": gateway.url, "AGENTGW_FETCH_URL": fakes.website_url + "/page"}

    first = run_example(key_file, env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    printed = re.search(r"-d '(\{.*\})'", first.stdout)
    assert printed is not None, first.stdout
    registration = json.loads(printed.group(1))
    registered = gateway.admin("POST", "/admin/agents", registration)
    assert registered.status_code == 201, registered.text

    second = run_example(key_file, env)
    output = second.stdout
    assert second.returncode == 0, output + second.stderr
    assert "✘" not in output
    assert f"({registered.json()['id']})" in output  # whoami named the registered agent
    assert "'Echo: Say hello'" in output
    assert "first: 'agent gateway - result 1'" in output
    assert "answered 200" in output
    assert "refused as expected: model gpt-4o is not allowed for tier default" in output
    assert "8 of 8 steps succeeded." in output


def test_example_agent_reports_an_unregistered_key(gateway: GatewayProcess, tmp_path: Path) -> None:
    key_file = tmp_path / "agent-key.pem"
    env = {"AGENTGW_URL": gateway.url}
    assert run_example(key_file, env).returncode == 0  # creates the key, registers nothing
    result = run_example(key_file, env)
    assert result.returncode == 1
    assert "✘ whoami (a signed request): unknown_key (401)" in result.stdout
    assert "This key is not registered" in result.stdout
    assert "npx agentgw agents register --name python-agent" in result.stdout  # the command, again
