"""Option checks both clients run once, when they are created."""

from __future__ import annotations

from urllib.parse import urlsplit


def normalize_base_url(base_url: str) -> str:
    """The gateway's public URL (``AGENTGW_PUBLIC_URL``), without a trailing slash."""
    if not isinstance(base_url, str):
        raise TypeError("base_url must be a string such as 'http://127.0.0.1:8080'")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
    if parts.query or parts.fragment:
        raise ValueError("base_url must not have a query or fragment")
    return base_url.rstrip("/")
