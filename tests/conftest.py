"""Shared pytest fixtures."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

# An API key used by every test that sends a request. It is not a real key.
TEST_API_KEY = "test-key-0f1e2d3c4b5a69788796a5b4c3d2e1f0"


# --- Recording HTTP server on 127.0.0.1 ------------------------------------------------------
# Tests that send real requests point the connector at this server. It stores every request it
# receives and sends back the response configured with respond(). The default response is HTTP
# 200 with a JSON-RPC result of true that echoes the request's id.


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request as the server received it."""

    method: str
    path: str
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


ResponseBody = bytes | dict[str, Any] | Callable[[RecordedRequest], "bytes | dict[str, Any]"]


@dataclass
class ConfiguredResponse:
    """The response the server sends to every request."""

    status: int = 200
    reason: str | None = None
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    body: ResponseBody | None = None


def echo_true_result(request: RecordedRequest) -> dict[str, Any]:
    """Return a JSON-RPC response with result true and the request's id."""
    return {"id": request.json().get("id"), "jsonrpc": "2.0", "result": True}


class _QuietHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that ignores clients closing the connection early.

    Timeout tests close the connection while the handler still writes its reply, and the
    default handler would print that BrokenPipeError's traceback into the test output.
    """

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class RecordingServer:
    """An HTTP server on 127.0.0.1 that records requests and sends a configured response."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.response = ConfiguredResponse()
        self._lock = threading.Lock()
        self._server = _QuietHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval, because shutdown() waits up to one interval for the loop to end.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """Return the base URL, without /api, so that the connector's URL handling is exercised."""
        return f"http://127.0.0.1:{self.port}"

    def respond(
        self,
        status: int = 200,
        body: ResponseBody | None = None,
        headers: dict[str, str] | None = None,
        reason: str | None = None,
    ) -> None:
        """Set the response for the following requests. ``body=None`` echoes a true result."""
        self.response = ConfiguredResponse(
            status=status,
            reason=reason,
            headers={"Content-Type": "application/json"} if headers is None else headers,
            body=body,
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _record(self, request: RecordedRequest) -> tuple[ConfiguredResponse, bytes]:
        """Store ``request`` and return the response to send with its encoded body."""
        with self._lock:
            self.requests.append(request)
            response = self.response
        body = echo_true_result if response.body is None else response.body
        if callable(body):
            body = body(request)
        if isinstance(body, dict):
            body = json.dumps(body).encode("utf-8")
        return response, body

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self._handle()

            def do_GET(self) -> None:
                self._handle()

            def log_message(self, message_format: str, *args: Any) -> None:
                # Keeps pytest's output free of access-log lines.
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = RecordedRequest(
                    method=self.command,
                    path=self.path,
                    headers=self.headers,
                    body=self.rfile.read(length),
                )
                response, content = server._record(request)
                self.send_response(response.status, response.reason)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

        return Handler


# Proxy variables that requests reads from the environment. They are removed while the recording
# server runs, so that no request to it is routed through a proxy on another host.
PROXY_ENVIRONMENT_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


@pytest.fixture
def recording_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingServer]:
    """Start a RecordingServer on 127.0.0.1 and an unused port, and stop it after the test."""
    for name in PROXY_ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    server = RecordingServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server_connection(recording_server: RecordingServer) -> dict[str, str]:
    """Return connection settings that point the connector at the recording server."""
    return {"url": recording_server.url, "username": TEST_API_KEY}


# --- Emulator fixtures -----------------------------------------------------------------------
# The emulator test modules share these: a fresh emulator per test with rate limits off, and a
# plain requests client for it from test_emulator_support.


@pytest.fixture
def emulator() -> Iterator[Any]:
    """Start an in-process emulator on 127.0.0.1 with rate limits off; stop it after the test."""
    from bitdefender_connector.emulator import Emulator

    with Emulator(rate_limits=False) as running:
        yield running


@pytest.fixture
def client(emulator: Any) -> Iterator[Any]:
    """Return a requests client for the emulator fixture, closed after the test."""
    from .test_emulator_support import EmulatorClient

    emulator_client = EmulatorClient(emulator)
    yield emulator_client
    emulator_client.close()
