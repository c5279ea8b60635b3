"""A test-side verifier of the contract's signature rules (CONTRACT.md §3), written from the
contract text, to check that Python reads the shared invalid vectors as the gateway does.

Returns the contract error code, or None when the request is accepted.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from urllib.parse import urlsplit

import http_sf
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from agentgw import SignatureBaseError, SignedRequest, signature_base

SKEW_SECONDS = 30
MAX_AGE_SECONDS = 60
MAX_LIFETIME_SECONDS = 300


def verify_contract(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    keys: Mapping[str, bytes],
    now: int,
) -> str | None:
    if "signature-input" not in headers and "signature" not in headers:
        return "signature_missing"
    try:
        inputs = http_sf.parse(headers.get("signature-input", "").encode(), tltype="dictionary")
        signatures = http_sf.parse(headers.get("signature", "").encode(), tltype="dictionary")
    except Exception:  # http-sf raises its own error types for any malformed field
        return "signature_invalid"
    if not isinstance(inputs, dict) or not isinstance(signatures, dict):
        return "signature_invalid"
    if len(inputs) != 1 or list(inputs) != list(signatures):
        return "signature_invalid"
    label = next(iter(inputs))
    member, sig_member = inputs[label], signatures[label]
    if not isinstance(member, tuple) or not isinstance(member[0], list):
        return "signature_invalid"
    items, params = member
    if not all(isinstance(item, tuple) and isinstance(item[0], str) and not item[1] for item in items):
        return "signature_invalid"
    components = [item[0] for item in items]  # type: ignore[index]
    raw_signature = sig_member[0] if isinstance(sig_member, tuple) else None
    if not isinstance(raw_signature, bytes) or len(raw_signature) != 64:
        return "signature_invalid"

    required = ["@method", "@authority", "@path"]
    if urlsplit(url).query:
        required.append("@query")
    if body:
        required.append("content-digest")
    if "authorization" in headers:
        required.append("authorization")
    if any(name not in components for name in required):
        return "signature_invalid"

    created, expires, nonce = params.get("created"), params.get("expires"), params.get("nonce")
    keyid, alg = params.get("keyid"), params.get("alg", "ed25519")
    if not isinstance(created, int) or not isinstance(expires, int) or isinstance(created, bool):
        return "signature_invalid"
    if not 0 < expires - created <= MAX_LIFETIME_SECONDS:
        return "signature_invalid"
    if not isinstance(nonce, str) or not 22 <= len(nonce) <= 256:
        return "signature_invalid"
    if not isinstance(keyid, str) or alg != "ed25519":
        return "signature_invalid"
    if created > now + SKEW_SECONDS:
        return "signature_invalid"
    if now - created > MAX_AGE_SECONDS or now >= expires + SKEW_SECONDS:
        return "signature_expired"
    public_key = keys.get(keyid)
    if public_key is None:
        return "unknown_key"
    if "content-digest" in components:
        expected = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
        if headers.get("content-digest") != expected:
            return "digest_mismatch"
    try:
        base = signature_base(SignedRequest(method, url, headers, body), components, params)
        Ed25519PublicKey.from_public_bytes(public_key).verify(raw_signature, base.encode())
    except (SignatureBaseError, InvalidSignature):
        return "signature_invalid"
    return None
