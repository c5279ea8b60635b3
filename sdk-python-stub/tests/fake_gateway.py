"""A real HTTP server on 127.0.0.1 that plays the gateway for the client tests.

Each test registers routes: ``(method, path) -> handler(FakeRequest) -> FakeResponse``. Every
request is checked the way the gateway checks it (signature over the received bytes) before the
handler runs, and kept in ``requests`` for assertions.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from signature_check import CheckedSignature, check_signed_request


@dataclass
class FakeRequest:
    method: str
    target: str
    path: str
    headers: dict[str, str]
    body: bytes
    signature: CheckedSignature | None

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeResponse:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


def problem(code: str, status: int, **extra: Any) -> FakeResponse:
    body = {
        "type": f"https://agentgw.dev/problems/{code}",
        "title": code,
        "status": status,
        "detail": f"fake {code}",
        "code": code,
        "requestId": "req-123",
        **extra,
    }
    return FakeResponse(status, body, content_type="application/problem+json")


Handler = Callable[[FakeRequest], FakeResponse]


class FakeGateway:
    def __init__(self, public_key: bytes) -> None:
        self.public_key = public_key
        self.routes: dict[tuple[str, str], Handler] = {}
        self.requests: list[FakeRequest] = []
        self.signature_failures: list[str] = []
        self._lock = threading.Lock()
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                path = urlsplit(self.path).path
                try:
                    checked: CheckedSignature | None = check_signed_request(
                        self.command, self.path, headers, body, fake.public_key, headers.get("host", "")
                    )
                except AssertionError as error:
                    checked = None
                    with fake._lock:
                        fake.signature_failures.append(str(error))
                request = FakeRequest(self.command, self.path, path, headers, body, checked)
                with fake._lock:
                    fake.requests.append(request)
                handler = fake.routes.get((self.command, path))
                if checked is None:
                    response = problem("signature_invalid", 401)
                elif handler is None:
                    response = problem("not_found", 404)
                else:
                    response = handler(request)
                payload = (
                    response.body if isinstance(response.body, bytes) else json.dumps(response.body).encode()
                )
                self.send_response(response.status)
                self.send_header("content-type", response.content_type)
                self.send_header("content-length", str(len(payload)))
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    def calls(self, path: str) -> list[FakeRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> FakeGateway:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
