"""The RFCs' own vectors: RFC 9421 B.2.6 (ed25519) and RFC 9530 Content-Digest samples."""

import base64

import pytest

from agentgw import SignedRequest, content_digest, create_signature, key_pair_from_jwk
from test_keys import RFC9421_JWK

B26_BASE = (
    '"date": Tue, 20 Apr 2021 02:07:55 GMT\n'
    '"@method": POST\n'
    '"@path": /foo\n'
    '"@authority": example.com\n'
    '"content-type": application/json\n'
    '"content-length": 18\n'
    '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length")'
    ';created=1618884473;keyid="test-key-ed25519"'
)
B26_INPUT = (
    'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length")'
    ';created=1618884473;keyid="test-key-ed25519"'
)
B26_SIGNATURE = (
    "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:"
)
TEST_REQUEST = SignedRequest(
    "POST",
    "http://example.com/foo?param=Value&Pet=dog",
    {
        "Host": "example.com",
        "Date": "Tue, 20 Apr 2021 02:07:55 GMT",
        "Content-Type": "application/json",
        "Content-Digest": (
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"
        ),
        "Content-Length": "18",
    },
    b'{"hello": "world"}',
)


def test_rfc9421_b26_base_input_and_signature_exactly() -> None:
    signature = create_signature(
        key_pair_from_jwk(RFC9421_JWK),
        TEST_REQUEST,
        ["date", "@method", "@path", "@authority", "content-type", "content-length"],
        {"created": 1618884473, "keyid": "test-key-ed25519"},
        label="sig-b26",
    )
    assert signature.signature_base == B26_BASE
    assert len(B26_BASE.encode()) == 284
    assert signature.signature_input == B26_INPUT
    assert signature.signature == B26_SIGNATURE


def test_rfc9421_b23_query_component() -> None:
    from agentgw.signature_base import component_value

    assert component_value(TEST_REQUEST, "@query") == "?param=Value&Pet=dog"


@pytest.mark.parametrize(
    ("body", "algorithm", "expected"),
    [
        (b'{"hello": "world"}', "sha-256", "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"),
        (
            b'{"hello": "world"}',
            "sha-512",
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
        ),
        (b'{"hello": "world"}\n', "sha-256", "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:"),
        (
            b'{"hello": "world"}\n',
            "sha-512",
            "sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:",
        ),
        (b"", "sha-256", "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"),
    ],
)
def test_rfc9530_content_digest(body: bytes, algorithm: str, expected: str) -> None:
    assert content_digest(body, algorithm) == expected  # type: ignore[arg-type]


def test_content_digest_refuses_deprecated_algorithms() -> None:
    with pytest.raises(ValueError, match="sha-256 or sha-512"):
        content_digest(b"x", "md5")  # type: ignore[arg-type]


def test_b2_request_sha512_matches_its_header() -> None:
    digest = content_digest(TEST_REQUEST.body or b"", "sha-512")
    assert digest == dict(TEST_REQUEST.headers)["Content-Digest"]  # type: ignore[arg-type]
    assert base64.b64decode(digest.split(":")[1])
