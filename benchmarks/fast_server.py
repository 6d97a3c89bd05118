"""A fast HTTP/1.1 server on 127.0.0.1 that sends a fixed response per path, in its own process.

The per-call benchmark compares client costs, so the server must respond in much less time than
the client spends and must not compete with the client for the GIL. It reads only the request
line and Content-Length, keeps connections alive and logs nothing.

The child process reads one line of JSON from stdin, an object mapping each URL path to the
JSON body to send, prints the port it listens on, and exits when its stdin closes. This file
imports only the standard library, so it runs as a script.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

HOST = "127.0.0.1"
STOP_TIMEOUT_SECONDS = 5.0
_HEADER_END = b"\r\n\r\n"


def encode_response(status: str, body: bytes) -> bytes:
    """Return a whole HTTP/1.1 response with a JSON body, ready to write to the socket."""
    head = (
        f"HTTP/1.1 {status}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body


NOT_FOUND = encode_response(
    "404 Not Found",
    b'{"jsonrpc":"2.0","id":null,"error":{"code":-32601,"message":"Method not found"}}',
)


class FixedResponseProtocol(asyncio.Protocol):
    """Sends every request on one connection the prebuilt response for its path."""

    def __init__(self, responses: Mapping[str, bytes]) -> None:
        self._responses = responses
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        # A client may pipeline, so respond to every complete request in the buffer.
        while self._transport is not None:
            header_end = self._buffer.find(_HEADER_END)
            if header_end < 0:
                return
            head = bytes(self._buffer[:header_end]).decode("latin-1")
            request_end = header_end + len(_HEADER_END) + _content_length(head)
            if len(self._buffer) < request_end:
                return
            del self._buffer[:request_end]
            path = head.split(" ", 2)[1]
            self._transport.write(self._responses.get(path, NOT_FOUND))


def _content_length(head: str) -> int:
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            return int(value)
    return 0


async def serve(responses: Mapping[str, bytes], stdin_closed: asyncio.Event) -> None:
    """Serve ``responses`` on an unused port of 127.0.0.1, print the port, stop on the event."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: FixedResponseProtocol(responses), HOST, 0)
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    async with server:
        await stdin_closed.wait()


def main() -> int:
    """Run the child process: read the responses from stdin, serve until stdin closes."""
    bodies = json.loads(sys.stdin.readline())
    responses = {
        path: encode_response("200 OK", json.dumps(body).encode("utf-8"))
        for path, body in bodies.items()
    }
    loop = asyncio.new_event_loop()
    stdin_closed = asyncio.Event()

    def wait_for_stdin_eof() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(stdin_closed.set)

    threading.Thread(target=wait_for_stdin_eof, daemon=True).start()
    loop.run_until_complete(serve(responses, stdin_closed))
    loop.close()
    return 0


class FastServer:
    """Starts the server in a child process; use it in a with block.

    ``responses`` maps a URL path such as ``/api/v1.0/jsonrpc/incidents`` to the JSON body
    sent for every request to that path. Other paths get 404 with a JSON-RPC error.
    """

    def __init__(self, responses: Mapping[str, Any]) -> None:
        self._responses = dict(responses)
        self._process: subprocess.Popen[str] | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> FastServer:
        process = subprocess.Popen(  # noqa: S603 - runs this file with the current interpreter
            [sys.executable, str(Path(__file__).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._process = process
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps(self._responses) + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        if not line.strip().isdigit():
            self._stop()
            raise RuntimeError(f"The fast server failed to start; it printed {line!r}")
        self.port = int(line)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop()

    def _stop(self) -> None:
        process = self._process
        if process is None:
            return
        self._process = None
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


if __name__ == "__main__":
    raise SystemExit(main())
