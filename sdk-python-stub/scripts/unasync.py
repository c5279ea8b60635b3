"""Writes the synchronous client (``client.py``) from the asyncio one (``async_client.py``).

The two clients have one implementation: ``async_client.py`` is written by hand and the
blocking ``AgentGateway`` is derived from it by removing ``async``/``await`` and swapping the
async names for their blocking twins (the technique httpcore uses). Decisions that need no I/O
live in ``_client_core.py``; only how a request is sent differs.

    python scripts/unasync.py           rewrite src/agentgw/client.py
    python scripts/unasync.py --check   exit 1 when client.py is not what this renders

``tests/test_unasync.py`` runs the check, so an edit to one side alone fails the suite.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "agentgw"
SOURCE = PACKAGE / "async_client.py"
TARGET = PACKAGE / "client.py"

SYNC_DOCSTRING = '''"""``AgentGateway``: the synchronous client an agent uses to reach its tools.

Generated from ``async_client.py`` by ``scripts/unasync.py``: edit that file, then run the script.
"""'''

#: (pattern, replacement), applied in order (multi-line mode); names are matched as whole words.
RULES: tuple[tuple[str, str], ...] = (
    # The blocking client waits on a threading.Event where the asyncio one is cancelled.
    (r"^import asyncio$", "import threading"),
    (
        r"^from \.errors import ApprovalRequiredError, ",
        "from .errors import ApprovalRequiredError, ApprovalWaitError, ",
    ),
    (r"\basync def\b", "def"),
    (r"\basync with\b", "with"),
    (r"\basync for\b", "for"),
    (r"\bawait ", ""),
    (r"\bAsyncAgentGateway\b", "AgentGateway"),
    (r"\bAsyncTokenCache\b", "TokenCache"),
    (r"\bAsyncBoundToken\b", "BoundToken"),
    (r"\bAsyncClient\b", "Client"),
    (r"\baclose\b", "close"),
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
)


def _flavour_blocks(text: str) -> str:
    """Drops ``# unasync: async-only-begin`` … ``-end`` blocks and uncomments the lines of
    ``# unasync: sync-only-begin`` … ``-end`` blocks (written as comments in the asyncio source,
    where they must not run): where the two clients cannot share a line (threading vs asyncio)."""
    out: list[str] = []
    mode = None
    for line in text.splitlines(keepends=True):
        marker = re.fullmatch(r"\s*# unasync: (async|sync)-only-(begin|end)\s*", line)
        if marker:
            kind, edge = marker.groups()
            if (edge == "begin") != (mode is None) or (edge == "end" and mode != kind):
                raise ValueError(f"unbalanced unasync marker: {line.strip()}")
            mode = kind if edge == "begin" else None
            continue
        if mode == "async":
            continue
        if mode == "sync":
            uncommented = re.fullmatch(r"(\s*)# ?(.*\n?)", line)
            if uncommented is None:
                raise ValueError(f"a sync-only line must be a comment: {line.strip()}")
            line = uncommented.group(1) + uncommented.group(2)
        out.append(line)
    if mode is not None:
        raise ValueError("an unasync block is not closed")
    return "".join(out)


def render(source: str) -> str:
    """The synchronous module for this asyncio source."""
    docstring = re.match(r'\A""".*?"""', source, re.DOTALL)
    if docstring is None:
        raise ValueError("async_client.py must start with its module docstring")
    text = _flavour_blocks(SYNC_DOCSTRING + source[docstring.end() :])
    for pattern, replacement in RULES:
        text = re.sub(pattern, replacement, text, flags=re.MULTILINE)
    return text


def main(argv: list[str]) -> int:
    rendered = render(SOURCE.read_text(encoding="utf-8"))
    if "--check" in argv:
        if TARGET.read_text(encoding="utf-8") != rendered:
            print(f"{TARGET} is stale: run python scripts/unasync.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(rendered, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
