"""RFC 9421 §2: component values and the signature base for a request.

Supports the derived components a request can carry (§2.2: ``@method``, ``@target-uri``,
``@authority``, ``@scheme``, ``@request-target``, ``@path``, ``@query``) and plain HTTP fields
(§2.1). Component parameters (``sf``, ``key``, ``bs``, ``req``, ``tr``, ``@query-param``) are not
needed by the gateway's profile and are refused rather than guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

import http_sf

__all__ = [
    "Headers",
    "SignatureBaseError",
    "SignedRequest",
    "authority_of",
    "component_value",
    "serialize_signature_params",
    "signature_base",
]

Headers = Mapping[str, str] | Iterable[tuple[str, str]]
SignatureParamValue = int | str

_DEFAULT_PORTS = {"http": 80, "https": 443}


class SignatureBaseError(ValueError):
    """No signature base can be built (RFC 9421 §2.5 lists when): the message says why."""


@dataclass(frozen=True)
class SignedRequest:
    """The parts of a request a signature can cover. ``url`` is absolute and already
    percent-encoded exactly as it goes on the wire (components are never re-encoded)."""

    method: str
    url: str
    headers: Headers = ()
    body: bytes | None = None

    def field_values(self) -> dict[str, list[str]]:
        """Field lines by lower-cased name, in order (names are case-insensitive, §2.1)."""
        pairs = self.headers.items() if isinstance(self.headers, Mapping) else self.headers
        fields: dict[str, list[str]] = {}
        for name, value in pairs:
            fields.setdefault(name.lower(), []).append(value)
        return fields


def authority_of(url: str | SplitResult) -> str:
    """``@authority`` (§2.2.3): host[:port], host lower-cased, the scheme's default port left out."""
    parts = urlsplit(url) if isinstance(url, str) else url
    host = parts.hostname
    if not host:
        raise SignatureBaseError(f"URL has no host: {parts.geturl()!r}")
    if ":" in host:  # IPv6 literal: urlsplit drops the brackets, the authority keeps them
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        raise SignatureBaseError("URL has an invalid port") from None
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        return host
    return f"{host}:{port}"


def component_value(request: SignedRequest, name: str) -> str:
    """The canonical value of one covered component (no component parameters)."""
    if name.startswith("@"):
        value = _derived_value(request, name)
        if not value.isascii() or not value.isprintable() or value != value.strip():
            raise SignatureBaseError(f"{name} value must be printable ASCII without outer spaces")
        return value
    if name != name.lower():
        raise SignatureBaseError(f"field component names are lower-case: {name!r}")
    lines = request.field_values().get(name)
    if lines is None:
        raise SignatureBaseError(f"covered field {name!r} is not in the request")
    # §2.1: trim each field line, fold obs-fold to one space, join lines with ", ".
    value = ", ".join(" ".join(line.strip().splitlines()) for line in lines)
    if "\n" in value or "\r" in value:
        raise SignatureBaseError(f"field {name!r} contains a line break")
    return value


def _derived_value(request: SignedRequest, name: str) -> str:
    parts = urlsplit(request.url)
    if name == "@method":
        return request.method  # §2.2.1: as sent, no case change
    if name == "@target-uri":
        return parts._replace(fragment="").geturl()
    if name == "@authority":
        return authority_of(parts)
    if name == "@scheme":
        return parts.scheme.lower()
    if name == "@path":
        return parts.path or "/"
    if name == "@query":
        return f"?{parts.query}"  # §2.2.7: "?" alone when there is no query
    if name == "@request-target":
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if name == "@status":
        raise SignatureBaseError("@status is for responses only (§2.2.9)")
    raise SignatureBaseError(f"unsupported derived component {name!r}")


def serialize_signature_params(components: Sequence[str], params: Mapping[str, SignatureParamValue]) -> str:
    """The ``@signature-params`` value (§2.3): an Inner List of Strings plus parameters, in order."""
    inner_list: http_sf.InnerListType = ([(name, {}) for name in components], dict(params))
    try:
        return http_sf.ser([inner_list])
    except (ValueError, TypeError) as error:
        raise SignatureBaseError(f"signature parameters cannot be serialized: {error}") from None


def signature_base(
    request: SignedRequest,
    components: Sequence[str],
    params: Mapping[str, SignatureParamValue],
) -> str:
    """The exact signature base of §2.5: one line per component, then ``"@signature-params"``,
    joined by LF with no trailing newline."""
    if len(set(components)) != len(components):
        raise SignatureBaseError("a component may be covered only once")
    if "@signature-params" in components:
        raise SignatureBaseError("@signature-params is never a covered component")
    lines = [f"{http_sf.ser(name)}: {component_value(request, name)}" for name in components]
    lines.append(f'"@signature-params": {serialize_signature_params(components, params)}')
    return "\n".join(lines)
