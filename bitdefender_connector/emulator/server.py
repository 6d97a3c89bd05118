"""The threaded HTTP(S) server and the request handler that adapts HTTP to RequestProcessor."""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from . import http_errors
from .processing import Outcome, RequestProcessor
from .responses import HttpResponse, text_response

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024
TLS_HANDSHAKE_TIMEOUT_SECONDS = 10.0


class EmulatorHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that does TLS handshakes in the connection threads.

    Connection threads are daemons that the server never joins, and drop_connections() ends the
    open ones,
    so stopping the server does not wait for clients.
    """

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        processor: RequestProcessor,
        release_event: threading.Event,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(address, RequestHandler)
        self.processor = processor
        self.release_event = release_event
        self.ssl_context = ssl_context
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Wrap the connection in TLS when enabled, then serve it, tracking it until it closes."""
        connection = request
        if self.ssl_context is not None:
            try:
                request.settimeout(TLS_HANDSHAKE_TIMEOUT_SECONDS)
                connection = self.ssl_context.wrap_socket(request, server_side=True)
                connection.settimeout(None)
            except (ssl.SSLError, OSError) as error:
                logger.debug("TLS handshake with %s failed: %s", client_address[0], error)
                return

        with self._connections_lock:
            self._connections.add(connection)
        try:
            self.RequestHandlerClass(connection, client_address, self)
        finally:
            with self._connections_lock:
                self._connections.discard(connection)
            if connection is not request:
                connection.close()

    def drop_connections(self) -> None:
        """Shut down every open connection, ending keep-alive waits and pending responses."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the client or the handler

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log a connection that failed outside request handling, such as a client reset."""
        logger.debug("Connection from %s failed", client_address[0], exc_info=True)


class RequestHandler(BaseHTTPRequestHandler):
    """Reads each request, gets its outcome from the RequestProcessor and writes the response."""

    protocol_version = "HTTP/1.1"
    server_version = "GravityZoneEmulator/1.0"
    # Buffer the response so that headers and body leave in one segment, which http.server
    # flushes after each request. Two small writes would wait for the client's delayed ACK, which
    # cost tens of milliseconds per request on the loopback.
    wbufsize = -1
    disable_nagle_algorithm = True
    server: EmulatorHTTPServer

    def do_POST(self) -> None:  # noqa: N802 - http.server dispatches on this name
        self._handle()

    def do_GET(self) -> None:  # noqa: N802
        self._handle()

    def do_PUT(self) -> None:  # noqa: N802
        self._handle()

    def do_PATCH(self) -> None:  # noqa: N802
        self._handle()

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle()

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._handle()

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle()

    def version_string(self) -> str:
        """Return the Server header value."""
        return self.server_version

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Skip http.server's access line, because _handle logs one line per request."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base class name
        """Send http.server's own messages, such as malformed request lines, to the log."""
        logger.debug("HTTP server: " + format, *args)

    def _handle(self) -> None:
        body = self._read_body()
        if isinstance(body, HttpResponse):
            self.close_connection = True
            self._log(Outcome(body), self._write(body))
            return

        headers = dict(self.headers.items())
        try:
            outcome = self.server.processor.process(self.command, self.path, headers, body)
        except Exception:  # noqa: BLE001 - an emulator bug must answer 500, not drop the client
            logger.exception("Processing %s %s failed", self.command, self.path.split("?", 1)[0])
            outcome = Outcome(text_response(500, "500 Internal Server Error: emulator bug\n"))
        self._log(outcome, self._write(outcome.response))

    def _read_body(self) -> bytes | HttpResponse:
        """Return the request body, or the error response when it cannot be read."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked_body()
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return b""
        try:
            length = int(length_header)
        except ValueError:
            return text_response(
                400, f"400 Bad Request: invalid Content-Length {length_header!r}\n"
            )
        if length < 0:
            return text_response(400, "400 Bad Request: negative Content-Length\n")
        if length > MAX_BODY_BYTES:
            return http_errors.payload_too_large(MAX_BODY_BYTES)
        return self.rfile.read(length)

    def _read_chunked_body(self) -> bytes | HttpResponse:
        chunks = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                return text_response(400, "400 Bad Request: invalid chunk size\n")
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass  # skip trailer fields
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                return http_errors.payload_too_large(MAX_BODY_BYTES)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _write(self, response: HttpResponse) -> str:
        """Write the response (after any delay) or drop the connection, and return the status."""
        if response.delay_seconds is not None:
            if self.server.release_event.wait(response.delay_seconds):
                self._drop_connection()
                return "dropped (emulator stopping during delay)"
        if response.drop_connection:
            self._drop_connection()
            return "dropped"

        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        body = response.body if response.status not in (204, 304) else None
        if body is not None:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        return str(response.status)

    def _drop_connection(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the client already closed it

    def _log(self, outcome: Outcome, status: str) -> None:
        logger.debug(
            "%s %s jsonrpc_method=%s request_id=%r status=%s jsonrpc_error=%s",
            self.command,
            self.path.split("?", 1)[0],
            outcome.jsonrpc_method,
            outcome.request_id,
            status,
            outcome.response.jsonrpc_error_code,
        )
