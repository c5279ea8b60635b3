"""Byte/text encodings shared by the SDK: strict base64 and unpadded base64url (RFC 4648)."""

from __future__ import annotations

import base64
import binascii
import re

_BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def to_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def from_base64(text: str) -> bytes | None:
    """Strict standard base64 (RFC 4648 §4); None for anything else so callers choose the error."""
    if not _BASE64.match(text) or len(text) % 4 != 0:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def to_base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def from_base64url(text: str) -> bytes | None:
    """Strict unpadded base64url (RFC 4648 §5, as JOSE uses it); None when the text is not that."""
    if not _BASE64URL.match(text) or len(text) % 4 == 1:
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
