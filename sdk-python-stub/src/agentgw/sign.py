"""RFC 9421 signing, and the gateway's signature profile (CONTRACT.md §3).

``sign_request`` is what every SDK request goes through: it adds ``Content-Digest`` when there
is a body and returns the ``Signature-Input`` / ``Signature`` header values. ``create_signature``
is the bare RFC 9421 operation for any components and parameters (RFC 9421 B.2.6 uses it).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import http_sf

from ._encoding import to_base64url
from .digest import content_digest
from .keys import KeyPair
from .signature_base import (
    SignatureBaseError,
    SignatureParamValue,
    SignedRequest,
    signature_base,
)

__all__ = [
    "DEFAULT_LABEL",
    "DEFAULT_TTL_SECONDS",
    "Signature",
    "create_signature",
    "new_nonce",
    "profile_components",
    "sign_request",
]

DEFAULT_LABEL = "sig1"
#: ``expires - created`` when the caller does not say; the gateway accepts at most 300.
DEFAULT_TTL_SECONDS = 60
MAX_TTL_SECONDS = 300


@dataclass(frozen=True)
class Signature:
    """The header values a signature adds, and the base it signed (handy for debugging)."""

    signature_input: str
    signature: str
    signature_base: str
    content_digest: str | None = None

    def headers(self) -> dict[str, str]:
        out = {"signature-input": self.signature_input, "signature": self.signature}
        if self.content_digest is not None:
            out["content-digest"] = self.content_digest
        return out


def new_nonce() -> str:
    """32 random bytes, base64url: 256 bits, well past the contract's 128-bit minimum."""
    return to_base64url(secrets.token_bytes(32))


def create_signature(
    key_pair: KeyPair,
    request: SignedRequest,
    components: Sequence[str],
    params: Mapping[str, SignatureParamValue],
    label: str = DEFAULT_LABEL,
) -> Signature:
    """Sign ``components`` of ``request`` with Ed25519 (RFC 9421 §3.1, §3.3.6); ``params`` are
    emitted in the order given."""
    base = signature_base(request, components, params)
    raw_signature = key_pair.sign(base.encode("ascii"))
    covered: http_sf.InnerListType = ([(name, {}) for name in components], dict(params))
    try:
        signature_input = http_sf.ser({label: covered})
        signature = http_sf.ser({label: raw_signature})
    except (ValueError, TypeError) as error:
        raise SignatureBaseError(f"label {label!r} cannot be serialized: {error}") from None
    return Signature(signature_input=signature_input, signature=signature, signature_base=base)


def profile_components(url: str, *, has_body: bool, has_authorization: bool) -> list[str]:
    """The components the gateway requires, in the order the SDKs cover them."""
    components = ["@method", "@authority", "@path"]
    if urlsplit(url).query:
        components.append("@query")
    if has_body:
        components.append("content-digest")
    if has_authorization:
        components.append("authorization")
    return components


def sign_request(
    key_pair: KeyPair,
    method: str,
    url: str,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    *,
    label: str = DEFAULT_LABEL,
    created: int | None = None,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    nonce: str | None = None,
    tag: str | None = None,
    clock: Callable[[], float] = time.time,
) -> Signature:
    """Sign a request with the contract profile.

    Covers ``@method``, ``@authority``, ``@path``, ``@query`` (when the URL has one),
    ``content-digest`` (when there is a non-empty body; the digest is computed here) and
    ``authorization`` (when ``headers`` has it). Parameters, in order: ``created``, ``expires``
    (created + ``ttl_seconds``), ``nonce``, ``keyid``, ``alg="ed25519"``, then ``tag`` if given.
    Returns the headers to add.
    """
    if not 0 < ttl_seconds <= MAX_TTL_SECONDS:
        raise ValueError(f"ttl_seconds must be between 1 and {MAX_TTL_SECONDS}, got {ttl_seconds}")
    fields = {name.lower(): value for name, value in (headers or {}).items()}
    digest = content_digest(body) if body else None
    if digest is not None:
        fields["content-digest"] = digest
    components = profile_components(
        url, has_body=digest is not None, has_authorization="authorization" in fields
    )
    created_at = int(clock()) if created is None else created
    params: dict[str, SignatureParamValue] = {
        "created": created_at,
        "expires": created_at + ttl_seconds,
        "nonce": new_nonce() if nonce is None else nonce,
        "keyid": key_pair.kid,
        "alg": "ed25519",
    }
    if tag is not None:
        params["tag"] = tag
    signed = create_signature(key_pair, SignedRequest(method, url, fields, body), components, params, label)
    return Signature(
        signature_input=signed.signature_input,
        signature=signed.signature,
        signature_base=signed.signature_base,
        content_digest=digest,
    )
