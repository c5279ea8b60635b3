"""The blocking client is generated from the asyncio one: both have one implementation."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "unasync.py"
_spec = importlib.util.spec_from_file_location("unasync", _SCRIPT)
assert _spec is not None
assert _spec.loader is not None
unasync = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(unasync)


def test_client_py_is_generated_from_async_client_py() -> None:
    rendered = unasync.render(unasync.SOURCE.read_text(encoding="utf-8"))
    assert unasync.TARGET.read_text(encoding="utf-8") == rendered, "run: python scripts/unasync.py"


def test_the_rendering_leaves_no_async_behind() -> None:
    rendered = unasync.render(unasync.SOURCE.read_text(encoding="utf-8"))
    for word in ("async ", "await ", "AsyncClient", "aclose", "__aenter__", "AsyncTokenCache"):
        assert word not in rendered, word


def test_flavour_blocks_drop_async_lines_and_uncomment_sync_ones() -> None:
    source = (
        '"""doc"""\n'
        "    # unasync: async-only-begin\n"
        "    await asyncio.sleep(1)\n"
        "    # unasync: async-only-end\n"
        "    # unasync: sync-only-begin\n"
        "    # time.sleep(1)\n"
        "    # unasync: sync-only-end\n"
    )
    assert unasync.render(source).endswith('"""\n    time.sleep(1)\n')
