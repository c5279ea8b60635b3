"""The contract's signature profile (CONTRACT.md §3) as ``sign_request`` emits it."""

import http_sf
import pytest

from agentgw import KeyPair, SignatureBaseError, SignedRequest, sign_request, signature_base
from agentgw.signature_base import authority_of, component_value
from signature_check import check_signed_request


def parsed_input(value: str) -> tuple[list[str], dict[str, object]]:
    parsed = http_sf.parse(value.encode(), tltype="dictionary")
    assert isinstance(parsed, dict)
    assert list(parsed) == ["sig1"]
    inner, params = parsed["sig1"]  # type: ignore[misc]
    return [name for name, _ in inner], dict(params)


def test_get_without_query_covers_method_authority_path(key_pair: KeyPair) -> None:
    signed = sign_request(key_pair, "GET", "http://127.0.0.1:8080/v1/whoami", clock=lambda: 1_700_000_000.9)
    components, params = parsed_input(signed.signature_input)
    assert components == ["@method", "@authority", "@path"]
    assert list(params) == ["created", "expires", "nonce", "keyid", "alg"]
    assert params["created"] == 1_700_000_000
    assert params["expires"] == 1_700_000_060
    assert params["keyid"] == key_pair.kid
    assert params["alg"] == "ed25519"
    nonce = params["nonce"]
    assert isinstance(nonce, str)
    assert len(nonce) == 43
    assert signed.content_digest is None
    assert signed.signature_base.splitlines()[:3] == [
        '"@method": GET',
        '"@authority": 127.0.0.1:8080',
        '"@path": /v1/whoami',
    ]


def test_post_with_query_body_and_authorization_covers_all_and_verifies(key_pair: KeyPair) -> None:
    body = b'{"tool":"openai","scopes":["openai:chat"]}'
    url = "http://gw.example:8443/v1/tools/serpapi/search.json?q=caf%C3%A9%20menu&x=1"
    signed = sign_request(key_pair, "POST", url, {"Authorization": "Bearer abc.def"}, body)
    components, _ = parsed_input(signed.signature_input)
    assert components == ["@method", "@authority", "@path", "@query", "content-digest", "authorization"]
    assert '"@query": ?q=caf%C3%A9%20menu&x=1' in signed.signature_base  # percent-encodings kept
    headers = {"authorization": "Bearer abc.def", **signed.headers()}
    check_signed_request(
        "POST",
        "/v1/tools/serpapi/search.json?q=caf%C3%A9%20menu&x=1",
        headers,
        body,
        key_pair.public_key,
        "gw.example:8443",
    )


def test_every_signature_has_a_fresh_nonce(key_pair: KeyPair) -> None:
    first = sign_request(key_pair, "GET", "http://h/x")
    second = sign_request(key_pair, "GET", "http://h/x")
    assert parsed_input(first.signature_input)[1]["nonce"] != parsed_input(second.signature_input)[1]["nonce"]


def test_fixed_parameters_make_the_signature_deterministic(key_pair: KeyPair) -> None:
    one = sign_request(key_pair, "GET", "http://h/x", created=10, nonce="n" * 22, ttl_seconds=300)
    two = sign_request(key_pair, "GET", "http://h/x", created=10, nonce="n" * 22, ttl_seconds=300)
    assert one == two
    assert ";expires=310;" in one.signature_input


@pytest.mark.parametrize("ttl", [0, -1, 301])
def test_ttl_outside_the_contract_is_refused(key_pair: KeyPair, ttl: int) -> None:
    with pytest.raises(ValueError, match="ttl_seconds"):
        sign_request(key_pair, "GET", "http://h/x", ttl_seconds=ttl)


@pytest.mark.parametrize(
    ("url", "authority"),
    [
        ("http://Example.COM/a", "example.com"),
        ("http://example.com:80/a", "example.com"),
        ("https://example.com:443/a", "example.com"),
        ("https://example.com:80/a", "example.com:80"),
        ("http://127.0.0.1:8080/a", "127.0.0.1:8080"),
        ("http://[::1]:8080/a", "[::1]:8080"),
        ("http://user:pw@example.com/a", "example.com"),
    ],
)
def test_authority_is_normalized(url: str, authority: str) -> None:
    assert authority_of(url) == authority


def test_path_and_query_edge_cases() -> None:
    assert component_value(SignedRequest("GET", "http://h"), "@path") == "/"
    assert component_value(SignedRequest("GET", "http://h/a%2Fb"), "@path") == "/a%2Fb"
    assert component_value(SignedRequest("GET", "http://h/a"), "@query") == "?"


def test_field_lines_are_trimmed_and_combined() -> None:
    request = SignedRequest("GET", "http://h/", [("X-A", " one "), ("x-a", "two"), ("X-Empty", "")])
    assert component_value(request, "x-a") == "one, two"
    assert signature_base(request, ["x-empty"], {}).splitlines()[0] == '"x-empty": '


@pytest.mark.parametrize(
    ("components", "message"),
    [
        (["@method", "@method"], "only once"),
        (["@signature-params"], "never a covered"),
        (["x-missing"], "not in the request"),
        (["@status"], "responses only"),
        (["@query-param"], "unsupported"),
        (["Content-Type"], "lower-case"),
    ],
)
def test_impossible_bases_are_refused(components: list[str], message: str) -> None:
    with pytest.raises(SignatureBaseError, match=message):
        signature_base(SignedRequest("GET", "http://h/"), components, {})


def test_non_ascii_parameters_are_refused(key_pair: KeyPair) -> None:
    with pytest.raises(SignatureBaseError):
        sign_request(key_pair, "GET", "http://h/", nonce="caf\u00e9" * 8)
