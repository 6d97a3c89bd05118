"""The log of requests the emulator received, for tests to inspect."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RecordedRequest:
    """One received request. `json` is the decoded body, or None when the body is not JSON.

    `headers` contains the headers as sent, Authorization included, so tests can check it.
    """

    http_method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any
    jsonrpc_method: str | None


class RequestLog:
    """Thread-safe, append-only list of RecordedRequest."""

    def __init__(self) -> None:
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()

    def append(self, request: RecordedRequest) -> None:
        """Add a request."""
        with self._lock:
            self._requests.append(request)

    def snapshot(self) -> list[RecordedRequest]:
        """Return a copy of the list."""
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        """Forget every request."""
        with self._lock:
            self._requests.clear()
