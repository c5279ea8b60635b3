"""A test-side RFC 9421 checker: what a server does with a request the SDK signed.

It parses the received Signature-Input / Signature with http-sf, rebuilds the base from the
request as the server saw it, checks Content-Digest against the received bytes and verifies
Ed25519 with the agent's public key. Failing asserts name what was wrong.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import http_sf
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from agentgw import SignedRequest, signature_base


@dataclass
class CheckedSignature:
    label: str
    components: list[str]
    params: dict[str, Any]
    base: str


def check_signed_request(
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    public_key: bytes,
    authority: str,
) -> CheckedSignature:
    lower = {name.lower(): value for name, value in headers.items()}
    assert "signature-input" in lower, "no Signature-Input header"
    assert "signature" in lower, "no Signature header"
    inputs = http_sf.parse(lower["signature-input"].encode(), tltype="dictionary")
    signatures = http_sf.parse(lower["signature"].encode(), tltype="dictionary")
    assert isinstance(inputs, dict)
    assert isinstance(signatures, dict)
    assert len(inputs) == 1, f"expected one signature label, got {list(inputs)}"
    label = next(iter(inputs))
    assert label in signatures, "label of Signature-Input missing from Signature"
    inner, params = inputs[label]  # type: ignore[misc]
    components = [item for item, _ in inner]
    raw_signature, _ = signatures[label]  # type: ignore[misc]
    if body:
        expected = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
        assert lower.get("content-digest") == expected, "Content-Digest does not match the body"
        assert "content-digest" in components
    request = SignedRequest(method, f"http://{authority}{target}", lower, body)
    base = signature_base(request, components, params)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(raw_signature, base.encode())
    except InvalidSignature:
        raise AssertionError(f"Ed25519 signature does not verify over:\n{base}") from None
    return CheckedSignature(label, components, dict(params), base)
