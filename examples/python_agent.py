#!/usr/bin/env python3
"""A small Python agent to run first against a gateway (see examples/README.md):

    AGENTGW_URL=http://localhost:8080 python examples/python_agent.py [python-agent-key.pem]

The first run creates the key file (its own: python-agent-key.pem; PKCS#8 PEM, the JS example's
format) and prints the public key with the admin call that registers it. Later runs sign in as that
agent and walk through whoami, the tools it could be granted, a tool token, and one call of each
tool, printing what happened at each step. A refused step prints the gateway's error code and
carries on; an unregistered key prints the registration command again.

Exit code: 0 when every step succeeded, 1 when a step failed (or the key is not registered), 2 when
the gateway cannot be reached. Optional: AGENTGW_FETCH_URL (default https://example.com/) for the
http tool, and AGENTGW_MAIL_TO (default bob@example.com) for Gmail — as in examples/js-agent.mjs.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from agentgw import (
    AgentGateway,
    AgentGatewayError,
    KeyPair,
    PolicyDeniedError,
    RateLimitedError,
    generate_key_pair,
    key_pair_from_pem,
)

SCOPES = ["openai:chat", "gmail:send", "serpapi:search", "http:fetch"]


def print_registration(keys: KeyPair, key_path: Path, base_url: str) -> None:
    """How an admin registers this key: with curl, or with the agentgw command line."""
    registration = json.dumps(
        {"name": "python-agent", "publicKey": keys.public_key_b64url(), "scopes": SCOPES}
    )
    print(
        f'curl -X POST {base_url}/admin/agents -H "Authorization: Bearer $AGENTGW_ADMIN_TOKEN" '
        f"-H 'Content-Type: application/json' \\\n  -d '{registration}'"
    )
    print(
        f"\nor: AGENTGW_URL={base_url} npx agentgw agents register --name python-agent "
        f"--key {key_path} --scopes {','.join(SCOPES)}"
    )


def create_key_file(path: Path, base_url: str) -> None:
    keys = generate_key_pair()
    # Owner-only from the start: the file is the agent's identity.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as key_file:
        key_file.write(keys.to_pem())
    print(f"Created {path} (key id {keys.kid}).")
    print("Register its public key through the admin API, then run me again:\n")
    print_registration(keys, path, base_url)


class Unregistered(Exception):
    """The gateway does not know this key (unknown_key): nothing else can work."""


def describe(error: Exception) -> str:
    if isinstance(error, PolicyDeniedError):
        return f"{error.code}: {'; '.join(error.reasons) or error.detail}"
    if isinstance(error, RateLimitedError):
        return f"{error.code}: retry after {error.retry_after} s"
    if isinstance(error, AgentGatewayError):
        return f"{error.code} ({error.status}): {error.detail}"
    return f"{type(error).__name__}: {error}"


class Steps:
    """Runs named steps, printing ✔ with a one-line result or ✘ with the reason."""

    def __init__(self) -> None:
        self.ran = 0
        self.failed = 0

    def run(self, title: str, step: Callable[[], str]) -> None:
        self.ran += 1
        try:
            print(f"✔ {title}: {step()}")
        except (AgentGatewayError, ValueError, KeyError, TypeError) as error:
            self.failed += 1
            print(f"✘ {title}: {describe(error)}")
            if isinstance(error, AgentGatewayError) and error.code == "unknown_key":
                raise Unregistered from error


def run_agent(gateway: AgentGateway) -> int:
    fetch_url = os.environ.get("AGENTGW_FETCH_URL", "https://example.com/")
    mail_to = os.environ.get("AGENTGW_MAIL_TO", "bob@example.com")
    steps = Steps()

    def whoami() -> str:
        me = gateway.whoami()  # unknown_key here means: register the key first
        agent = me["agent"]
        return f"{agent['name']} ({agent['id']}), key {me['kid']}, scopes {' '.join(agent['scopes'])}"

    def tools() -> str:
        listed = gateway.list_tools()["tools"]
        return ", ".join(t["name"] + ("" if t.get("available", True) else " (unavailable)") for t in listed)

    def token() -> str:
        granted = gateway.token_for("openai", ["openai:chat"])
        return f"jti {granted.jti}, scopes {' '.join(granted.scopes)}, expires in {granted.expires_in} s"

    def chat() -> str:
        reply = gateway.openai_chat([{"role": "user", "content": "Say hello"}], model="gpt-4o-mini")
        content: str = reply["choices"][0]["message"]["content"]
        return repr(content)

    def search() -> str:
        results = gateway.serpapi_search("agent gateway", num="3")
        titles = [r["title"] for r in results.get("organic_results", [])]
        return f"{len(titles)} results, first: {titles[0]!r}" if titles else "no results"

    def fetch() -> str:
        page = gateway.http_fetch(fetch_url)
        return f"{fetch_url} answered {page['status']} with {len(page.get('body') or '')} characters"

    def mail() -> str:
        sent = gateway.gmail_send(
            mail_to,
            "Hello from the Python agent",
            f"Sent through Agent Gateway at {time.strftime('%Y-%m-%d %H:%M:%S')}.",
            intent="say hello from the example agent",  # gmail:send needs a stated intent
        )
        return f"message {sent['id']} to {mail_to}"

    def denied() -> str:
        # On purpose: gpt-4o is not on the default tier's model list, so the policy says why not.
        try:
            gateway.openai_chat([{"role": "user", "content": "hi"}], model="gpt-4o")
        except PolicyDeniedError as error:
            return f"refused as expected: {'; '.join(error.reasons)}"
        return "allowed (this gateway's policy lets the default tier use gpt-4o)"

    steps.run("whoami (a signed request)", whoami)
    steps.run("tools I could be granted", tools)
    steps.run("tool token for openai", token)
    steps.run("openai chat", chat)
    steps.run("serpapi search", search)
    steps.run("http fetch", fetch)
    steps.run("gmail send", mail)
    steps.run("a policy denial", denied)
    print(f"\n{steps.ran - steps.failed} of {steps.ran} steps succeeded.")
    return 1 if steps.failed else 0


def main(argv: list[str]) -> int:
    base_url = (os.environ.get("AGENTGW_URL") or "http://localhost:8080").rstrip("/")
    key_path = Path(argv[1] if len(argv) > 1 else "python-agent-key.pem")
    if not key_path.exists():
        create_key_file(key_path, base_url)
        return 0
    keys: KeyPair = key_pair_from_pem(key_path.read_bytes())
    print(f"Agent key {keys.kid} from {key_path}, gateway {base_url}\n")
    try:
        with AgentGateway(base_url, keys) as gateway:
            return run_agent(gateway)
    except Unregistered:
        print(f"\nThis key is not registered on {base_url}. Register it, then run me again:\n")
        print_registration(keys, key_path, base_url)
        return 1
    except httpx.TransportError as error:
        print(f"\nCannot reach the gateway at {base_url}: {error}. Is it running (npm start)?")
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
