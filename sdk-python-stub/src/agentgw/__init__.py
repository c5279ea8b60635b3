"""Agent Gateway SDK for Python: signed requests (RFC 9421), tool tokens and tool calls.

from agentgw import AgentGateway, generate_key_pair

keys = generate_key_pair()          # register keys.public_key_b64url() with the admin API
with AgentGateway("http://127.0.0.1:8080", keys) as gateway:
    print(gateway.whoami())
    answer = gateway.openai_chat([{"role": "user", "content": "Hello"}])
"""

from .async_client import AsyncAgentGateway
from .auth import AgentGatewayAuth, AsyncBearerSource, BearerSource
from .client import AgentGateway
from .digest import content_digest
from .errors import (
    AgentGatewayError,
    ApprovalDeniedError,
    ApprovalRequiredError,
    ApprovalWaitError,
    AuthenticationError,
    AuthorizationError,
    PolicyDeniedError,
    RateLimitedError,
    RequestError,
    ScopeMissingError,
    ServerError,
    SignatureError,
    TokenError,
    UpstreamError,
    error_class_for,
)
from .keys import (
    InvalidKeyError,
    KeyPair,
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
from .sign import Signature, create_signature, new_nonce, sign_request
from .signature_base import SignatureBaseError, SignedRequest, signature_base
from .tokens import ToolToken

__all__ = [
    "AgentGateway",
    "AgentGatewayAuth",
    "AgentGatewayError",
    "ApprovalDeniedError",
    "ApprovalRequiredError",
    "ApprovalWaitError",
    "AsyncAgentGateway",
    "AsyncBearerSource",
    "AuthenticationError",
    "AuthorizationError",
    "BearerSource",
    "InvalidKeyError",
    "KeyPair",
    "PolicyDeniedError",
    "RateLimitedError",
    "RequestError",
    "ScopeMissingError",
    "ServerError",
    "Signature",
    "SignatureBaseError",
    "SignatureError",
    "SignedRequest",
    "TokenError",
    "ToolToken",
    "UpstreamError",
    "content_digest",
    "create_signature",
    "error_class_for",
    "generate_key_pair",
    "key_id",
    "key_pair_from_jwk",
    "key_pair_from_pem",
    "key_pair_from_secret_key",
    "new_nonce",
    "parse_public_key",
    "public_key_from_pem",
    "public_key_to_jwk",
    "public_key_to_pem",
    "sign_request",
    "signature_base",
    "thumbprint_input",
]
