"""Ed25519 agent keys as the gateway knows them (CONTRACT.md §1).

Raw 32-byte keys, OKP JWKs (RFC 8037), PKCS#8/SPKI PEM, and the RFC 7638 thumbprint
that is the ``kid`` of a key and the ``keyid`` of every signature.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ._encoding import from_base64url, to_base64url

__all__ = [
    "InvalidKeyError",
    "KeyPair",
    "generate_key_pair",
    "key_id",
    "key_pair_from_jwk",
    "key_pair_from_pem",
    "key_pair_from_secret_key",
    "parse_public_key",
    "public_key_from_pem",
    "public_key_to_jwk",
    "public_key_to_pem",
    "thumbprint_input",
]


class InvalidKeyError(ValueError):
    """A key (public or private) was refused; the message names the reason."""


@dataclass(frozen=True)
class KeyPair:
    """An agent's Ed25519 key pair. ``secret_key`` is the 32-byte seed: keep it secret."""

    secret_key: bytes = field(repr=False)
    public_key: bytes
    kid: str

    def sign(self, message: bytes) -> bytes:
        """Ed25519 (RFC 8032 §5.1.6) over ``message``, no pre-hash: 64 bytes R||S."""
        return Ed25519PrivateKey.from_private_bytes(self.secret_key).sign(message)

    def to_jwk(self) -> dict[str, str]:
        """Private OKP JWK ``{kty, crv, x, d}``."""
        return {**public_key_to_jwk(self.public_key), "d": to_base64url(self.secret_key)}

    def to_pem(self) -> str:
        """Unencrypted PKCS#8 PEM of the private key."""
        private = Ed25519PrivateKey.from_private_bytes(self.secret_key)
        return private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii")

    def public_key_b64url(self) -> str:
        """The public key as the admin API takes it: base64url of the raw 32 bytes."""
        return to_base64url(self.public_key)


def generate_key_pair() -> KeyPair:
    private = Ed25519PrivateKey.generate()
    return key_pair_from_secret_key(private.private_bytes_raw())


def key_pair_from_secret_key(secret_key: bytes | str) -> KeyPair:
    """Key pair from a 32-byte Ed25519 seed (bytes, or its unpadded base64url text)."""
    seed = from_base64url(secret_key) if isinstance(secret_key, str) else secret_key
    if not isinstance(seed, bytes) or len(seed) != 32:
        raise InvalidKeyError("secret_key must be a 32-byte Ed25519 seed (bytes or base64url)")
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    return KeyPair(secret_key=seed, public_key=public, kid=key_id(public))


def key_pair_from_jwk(jwk: Mapping[str, Any] | str) -> KeyPair:
    """Key pair from a private OKP JWK (mapping or JSON text) with ``crv`` Ed25519 and ``d``."""
    data = _json_object(jwk) if isinstance(jwk, str) else jwk
    if data.get("kty") != "OKP" or data.get("crv") != "Ed25519" or not isinstance(data.get("d"), str):
        raise InvalidKeyError("expected a private OKP JWK with crv Ed25519 and d")
    seed = from_base64url(data["d"])
    if seed is None or len(seed) != 32:
        raise InvalidKeyError("JWK d must be 32 bytes of base64url")
    pair = key_pair_from_secret_key(seed)
    if isinstance(data.get("x"), str) and data["x"] != to_base64url(pair.public_key):
        raise InvalidKeyError("JWK x does not belong to d")
    return pair


def key_pair_from_pem(pem: str | bytes, password: bytes | None = None) -> KeyPair:
    """Key pair from a PKCS#8 PEM private key (optionally encrypted with ``password``)."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        private = serialization.load_pem_private_key(data, password=password)
    except (ValueError, TypeError) as error:
        raise InvalidKeyError(f"not a readable PKCS#8 PEM private key: {error}") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise InvalidKeyError("the PEM holds a key that is not Ed25519")
    return key_pair_from_secret_key(private.private_bytes_raw())


def thumbprint_input(public_key: bytes) -> str:
    """RFC 7638 §3 input for an OKP key: required members only, lexicographic order, no spaces."""
    return f'{{"crv":"Ed25519","kty":"OKP","x":"{to_base64url(public_key)}"}}'


def key_id(public_key: bytes | str | Mapping[str, Any]) -> str:
    """RFC 7638 SHA-256 JWK thumbprint, base64url without padding (CONTRACT.md §1)."""
    raw = public_key if isinstance(public_key, bytes) else parse_public_key(public_key)
    if len(raw) != 32:
        raise InvalidKeyError(f"an Ed25519 public key is 32 bytes, got {len(raw)}")
    return to_base64url(hashlib.sha256(thumbprint_input(raw).encode("ascii")).digest())


def public_key_to_jwk(public_key: bytes) -> dict[str, str]:
    return {"kty": "OKP", "crv": "Ed25519", "x": to_base64url(public_key)}


def public_key_to_pem(public_key: bytes) -> str:
    """SPKI PEM of a raw 32-byte public key."""
    key = Ed25519PublicKey.from_public_bytes(public_key)
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def public_key_from_pem(pem: str | bytes) -> bytes:
    """Raw 32 bytes from an SPKI PEM public key."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as error:
        raise InvalidKeyError(f"not a readable SPKI PEM public key: {error}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidKeyError("the PEM holds a key that is not Ed25519")
    return key.public_bytes_raw()


def parse_public_key(value: str | Mapping[str, Any]) -> bytes:
    """What the contract accepts for a public key: base64url of the raw 32 bytes, or an OKP
    JWK (mapping or JSON text). Untrusted input: every refusal names its reason."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        return parse_public_key(_json_object(value))
    if isinstance(value, str):
        raw = from_base64url(value)
        if raw is None:
            raise InvalidKeyError("public key is not base64url (RFC 4648 §5, unpadded)")
    elif isinstance(value, Mapping):
        if value.get("kty") != "OKP":
            raise InvalidKeyError('JWK kty must be "OKP"')
        if value.get("crv") != "Ed25519":
            raise InvalidKeyError('JWK crv must be "Ed25519"')
        if "d" in value:
            raise InvalidKeyError("JWK holds a private key (d); pass only the public key")
        x = value.get("x")
        if not isinstance(x, str):
            raise InvalidKeyError("JWK x is missing")
        raw = from_base64url(x)
        if raw is None:
            raise InvalidKeyError("JWK x is not base64url")
    else:
        raise InvalidKeyError("public key must be a base64url string or an OKP JWK")
    if len(raw) != 32:
        raise InvalidKeyError(f"an Ed25519 public key is 32 bytes, got {len(raw)}")
    # Whether the bytes decode to a curve point is the gateway's check at registration.
    return raw


def _json_object(text: str) -> Mapping[str, Any]:
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        raise InvalidKeyError("key looks like JSON but does not parse") from None
    if not isinstance(parsed, dict):
        raise InvalidKeyError("a JWK must be a JSON object")
    return parsed
