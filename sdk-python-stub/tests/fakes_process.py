"""The fake upstream tools (test/fakes, TypeScript) as a child process, for end-to-end tests.

``node --import tsx test/fakes/serve.ts`` prints the gateway environment that points at the
fakes on stdout, one ``NAME=value`` a line, then ``website: <url>  (Ctrl-C to stop)`` on stderr;
it stops on SIGTERM. The fakes run in that process, so what they received is checked through
their own APIs (e.g. the fake Gmail's mailbox, with an OAuth token from its token endpoint).
"""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from processes import stop_process

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVE_FAKES = REPO_ROOT / "test" / "fakes" / "serve.ts"

_WEBSITE_LINE = re.compile(r"^website: (http://\S+)")
_ENV_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")


@dataclass
class FakesProcess:
    """The running fakes: ``env`` for the gateway, the fake website's URL, and their process."""

    env: dict[str, str]
    website_url: str
    process: subprocess.Popen[bytes]

    def gmail_access_token(self) -> str:
        """An access token from the fake Gmail's OAuth2 endpoint (refresh-token grant)."""
        response = httpx.post(
            self.env["AGENTGW_GMAIL_TOKEN_URL"],
            data={
                "grant_type": "refresh_token",
                "refresh_token": self.env["GMAIL_REFRESH_TOKEN"],
                "client_id": self.env["GMAIL_CLIENT_ID"],
                "client_secret": self.env["GMAIL_CLIENT_SECRET"],
            },
        )
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    def gmail_message(self, message_id: str) -> dict[str, Any]:
        """A message as the fake Gmail stored it (``format=metadata``), read directly from it."""
        response = httpx.get(
            f"{self.env['AGENTGW_GMAIL_BASE_URL']}/gmail/v1/users/me/messages/{message_id}",
            params={"format": "metadata"},
            headers={"authorization": f"Bearer {self.gmail_access_token()}"},
        )
        response.raise_for_status()
        message: dict[str, Any] = response.json()
        return message

    def stop(self) -> None:
        stop_process(self.process)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def start_fakes_process(timeout: float = 30.0) -> FakesProcess:
    """Starts the four fakes and waits until they have printed where they listen."""
    process = subprocess.Popen(
        ["node", "--import", "tsx", str(SERVE_FAKES)],
        cwd=REPO_ROOT,
        env=os.environ.copy(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        env, website_url = _read_announcement(process, timeout)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return FakesProcess(env, website_url, process)


def _read_announcement(process: subprocess.Popen[bytes], timeout: float) -> tuple[dict[str, str], str]:
    """Reads both pipes until the stderr ``website:`` line, which serve.ts writes after the env
    lines; writes to pipes are synchronous in Node on Linux, so stdout is complete by then."""
    assert process.stdout is not None
    assert process.stderr is not None
    outputs = {process.stdout.fileno(): bytearray(), process.stderr.fileno(): bytearray()}
    website_url: str | None = None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        for fd in outputs:
            selector.register(fd, selectors.EVENT_READ)
        while website_url is None or selector.select(timeout=0):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"fakes did not start within {timeout} s: {_text(outputs)}")
            for key, _ in selector.select(timeout=min(remaining, 0.5)):
                chunk = os.read(key.fd, 65536)
                if not chunk:  # the process closed this pipe: it has exited
                    process.wait(timeout=5)
                    raise RuntimeError(f"fakes exited with {process.returncode}: {_text(outputs)}")
                outputs[key.fd] += chunk
            if website_url is None:
                for line in outputs[process.stderr.fileno()].decode(errors="replace").splitlines():
                    match = _WEBSITE_LINE.match(line)
                    if match:
                        website_url = match.group(1)
    env: dict[str, str] = {}
    for line in outputs[process.stdout.fileno()].decode().splitlines():
        match = _ENV_LINE.match(line)
        if match:
            env[match.group(1)] = match.group(2)
    if "AGENTGW_OPENAI_BASE_URL" not in env:
        raise RuntimeError(f"fakes printed no gateway environment: {_text(outputs)}")
    return env, website_url


def _text(outputs: dict[int, bytearray]) -> str:
    return " | ".join(data.decode(errors="replace").strip() for data in outputs.values())
