"""The shared vectors in test/vectors/ (generated once by the JS SDK): Python must produce the
same thumbprints, digests, signature bases and signatures byte for byte, and read every
invalid case as the contract code it names."""

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from agentgw import (
    SignedRequest,
    content_digest,
    create_signature,
    key_id,
    key_pair_from_secret_key,
    parse_public_key,
    sign_request,
)
from conftest import VECTORS_DIR
from contract_verifier import verify_contract


def load(name: str) -> Any:
    path: Path = VECTORS_DIR / name
    if not path.exists():
        pytest.fail(f"shared vectors missing: {path}")
    return json.loads(path.read_text())


SIGNATURES = load("signatures.json")
KEYS = {name: key_pair_from_secret_key(k["secretKey"]) for name, k in SIGNATURES["keys"].items()}


def body_of(request: dict[str, Any]) -> bytes | None:
    encoded = request.get("bodyBase64")
    return None if encoded is None else base64.b64decode(encoded)


@pytest.mark.parametrize("case", load("thumbprints.json"), ids=lambda c: c["name"])
def test_thumbprints(case: dict[str, str]) -> None:
    assert key_id(parse_public_key(case["publicKey"])) == case["kid"]


@pytest.mark.parametrize("case", load("content-digests.json"), ids=lambda c: c["name"])
def test_content_digests(case: dict[str, str]) -> None:
    body = base64.b64decode(case["bodyBase64"])
    assert content_digest(body, "sha-256") == case["sha-256"]
    assert content_digest(body, "sha-512") == case["sha-512"]


def test_vector_keys_match_their_published_halves() -> None:
    for name, key in SIGNATURES["keys"].items():
        assert KEYS[name].public_key_b64url() == key["publicKey"]
        assert KEYS[name].kid == key["kid"]


@pytest.mark.parametrize("case", SIGNATURES["valid"], ids=lambda c: c["name"])
def test_valid_signature_is_reproduced_exactly(case: dict[str, Any]) -> None:
    request = case["request"]
    body = body_of(request)
    headers = dict(request["headers"])
    if case["contentDigest"] is not None:
        headers["content-digest"] = case["contentDigest"]
    signed = create_signature(
        KEYS[case["key"]],
        SignedRequest(request["method"], request["url"], headers, body),
        case["components"],
        case["params"],
        label=case["label"],
    )
    assert signed.signature_base == case["signatureBase"]
    assert signed.signature_input == case["signatureInput"]
    assert signed.signature == case["signature"]
    if case["contentDigest"] is not None:
        algorithm = case["contentDigest"].split("=", 1)[0]  # B.2 uses sha-512, the profile sha-256
        assert content_digest(body or b"", algorithm) == case["contentDigest"]


@pytest.mark.parametrize(
    "case", [c for c in SIGNATURES["valid"] if c["profile"] == "agentgw"], ids=lambda c: c["name"]
)
def test_profile_signer_emits_the_same_headers(case: dict[str, Any]) -> None:
    """sign_request picks the same components and parameter order as the JS SDK."""
    request, params = case["request"], case["params"]
    headers = {k: v for k, v in request["headers"].items() if k != "content-digest"}
    signed = sign_request(
        KEYS[case["key"]],
        request["method"],
        request["url"],
        headers,
        body_of(request),
        label=case["label"],
        created=params["created"],
        ttl_seconds=params["expires"] - params["created"],
        nonce=params["nonce"],
        tag=params.get("tag"),
    )
    assert signed.signature_input == case["signatureInput"]
    assert signed.signature_base == case["signatureBase"]
    assert signed.signature == case["signature"]
    assert signed.content_digest == case["contentDigest"]


@pytest.mark.parametrize(
    "case", [c for c in SIGNATURES["valid"] if c["profile"] == "agentgw"], ids=lambda c: c["name"]
)
def test_valid_profile_vectors_are_accepted(case: dict[str, Any]) -> None:
    request = case["request"]
    headers = {
        **request["headers"],
        "signature-input": case["signatureInput"],
        "signature": case["signature"],
    }
    if case["contentDigest"] is not None:
        headers["content-digest"] = case["contentDigest"]
    registered = {k.kid: k.public_key for k in KEYS.values()}
    now = case["params"]["created"] + 1
    result = verify_contract(
        request["method"], request["url"], headers, body_of(request) or b"", registered, now
    )
    assert result is None


@pytest.mark.parametrize("case", SIGNATURES["invalid"], ids=lambda c: c["name"])
def test_invalid_vectors_give_their_contract_code(case: dict[str, Any]) -> None:
    request = case["request"]
    registered = {k.kid: k.public_key for k in KEYS.values()}
    code = verify_contract(
        request["method"],
        request["url"],
        request["headers"],
        body_of(request) or b"",
        registered,
        case["now"],
    )
    assert code == case["expectedCode"], case["reason"]
