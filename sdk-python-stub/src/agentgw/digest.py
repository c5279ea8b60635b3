"""RFC 9530 ``Content-Digest``: a structured-field Dictionary of algorithm -> Byte Sequence."""

from __future__ import annotations

import hashlib
from typing import Literal

import http_sf

__all__ = ["DigestAlgorithm", "content_digest"]

DigestAlgorithm = Literal["sha-256", "sha-512"]

# Only the algorithms RFC 9530 §7.2 registers as Active; the deprecated ones are unsafe
# in signed fields (§5).
_HASHES = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}


def content_digest(body: bytes, algorithm: DigestAlgorithm = "sha-256") -> str:
    """The ``Content-Digest`` field value for ``body``, e.g. ``sha-256=:X48E…=:``."""
    hash_function = _HASHES.get(algorithm)
    if hash_function is None:
        raise ValueError(f"algorithm must be sha-256 or sha-512, got {algorithm!r}")
    return http_sf.ser({algorithm: hash_function(body).digest()})
