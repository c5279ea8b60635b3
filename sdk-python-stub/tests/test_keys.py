import json

import pytest

from agentgw import (
    InvalidKeyError,
    generate_key_pair,
    key_id,
    key_pair_from_jwk,
    key_pair_from_pem,
    key_pair_from_secret_key,
    parse_public_key,
    public_key_from_pem,
    public_key_to_jwk,
    public_key_to_pem,
    thumbprint_input,
)
from agentgw._encoding import from_base64url, to_base64url

# RFC 8037 Appendix A.1/A.3
RFC8037_JWK = {
    "kty": "OKP",
    "crv": "Ed25519",
    "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
}
# RFC 9421 Appendix B.1.4 test-key-ed25519
RFC9421_JWK = {
    "kty": "OKP",
    "crv": "Ed25519",
    "kid": "test-key-ed25519",
    "d": "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU",
    "x": "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs",
}
RFC9421_PUBLIC_PEM = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n"
    "-----END PUBLIC KEY-----\n"
)
RFC9421_PRIVATE_PEM = (
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n"
    "-----END PRIVATE KEY-----\n"
)


def test_rfc8037_thumbprint_input_and_value() -> None:
    public = from_base64url(RFC8037_JWK["x"])
    assert public is not None
    assert thumbprint_input(public) == (
        '{"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}'
    )
    assert key_id(public) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_rfc9421_test_key_thumbprint_from_every_form() -> None:
    expected = "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U"
    assert key_id(RFC9421_JWK["x"]) == expected
    assert key_id({"kty": "OKP", "crv": "Ed25519", "x": RFC9421_JWK["x"]}) == expected
    assert key_pair_from_jwk(RFC9421_JWK).kid == expected
    assert key_pair_from_pem(RFC9421_PRIVATE_PEM).kid == expected
    assert key_id(public_key_from_pem(RFC9421_PUBLIC_PEM)) == expected


def test_rfc9421_key_exports_the_rfc_pems() -> None:
    pair = key_pair_from_jwk(RFC9421_JWK)
    assert pair.to_pem() == RFC9421_PRIVATE_PEM
    assert public_key_to_pem(pair.public_key) == RFC9421_PUBLIC_PEM


def test_rfc8037_private_key_derives_its_public_key() -> None:
    pair = key_pair_from_jwk(json.dumps(RFC8037_JWK))
    assert to_base64url(pair.public_key) == RFC8037_JWK["x"]


def test_generated_key_round_trips_through_every_format() -> None:
    pair = generate_key_pair()
    assert len(pair.secret_key) == 32
    assert len(pair.public_key) == 32
    assert key_pair_from_jwk(pair.to_jwk()) == pair
    assert key_pair_from_pem(pair.to_pem()) == pair
    assert key_pair_from_secret_key(to_base64url(pair.secret_key)) == pair
    assert parse_public_key(pair.public_key_b64url()) == pair.public_key
    assert parse_public_key(public_key_to_jwk(pair.public_key)) == pair.public_key
    assert generate_key_pair().kid != pair.kid


def test_secret_key_is_kept_out_of_repr() -> None:
    pair = generate_key_pair()
    assert to_base64url(pair.secret_key) not in repr(pair)
    assert repr(pair.secret_key) not in repr(pair)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("not base64url!", "not base64url"),
        ("AAAA", "32 bytes, got 3"),
        ({"kty": "EC", "crv": "Ed25519", "x": RFC9421_JWK["x"]}, "kty"),
        ({"kty": "OKP", "crv": "X25519", "x": RFC9421_JWK["x"]}, "crv"),
        ({"kty": "OKP", "crv": "Ed25519"}, "x is missing"),
        (RFC9421_JWK, "private key"),
        ("{not json", "does not parse"),
    ],
)
def test_parse_public_key_refuses_with_a_reason(value: object, reason: str) -> None:
    with pytest.raises(InvalidKeyError, match=reason):
        parse_public_key(value)  # type: ignore[arg-type]


def test_private_key_imports_refuse_bad_input() -> None:
    with pytest.raises(InvalidKeyError):
        key_pair_from_secret_key(b"short")
    with pytest.raises(InvalidKeyError, match="does not belong"):
        key_pair_from_jwk({**RFC9421_JWK, "x": RFC8037_JWK["x"]})
    with pytest.raises(InvalidKeyError, match="JSON object"):
        key_pair_from_jwk("[1]")
    with pytest.raises(InvalidKeyError, match="PEM"):
        key_pair_from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
