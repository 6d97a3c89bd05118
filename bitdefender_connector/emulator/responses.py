"""The HTTP response the emulator sends, as a plain value that request processing returns."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

JSON_CONTENT_TYPE = "application/json"


@dataclass
class HttpResponse:
    """A response to write, or an instruction to drop the connection.

    With `delay_seconds` set, the server waits that long before writing the response. If the
    emulator stops during the wait, the server drops the connection instead.
    """

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = b""
    drop_connection: bool = False
    delay_seconds: float | None = None
    jsonrpc_error_code: int | None = None


def json_response(
    status: int, document: Any, headers: list[tuple[str, str]] | None = None
) -> HttpResponse:
    """Return a response with a compact JSON body."""
    body = json.dumps(document, separators=(",", ":")).encode("utf-8")
    all_headers = [("Content-Type", JSON_CONTENT_TYPE), *(headers or [])]
    response = HttpResponse(status, all_headers, body)
    if isinstance(document, dict) and isinstance(document.get("error"), dict):
        response.jsonrpc_error_code = document["error"].get("code")
    return response


def text_response(
    status: int, text: str, headers: list[tuple[str, str]] | None = None
) -> HttpResponse:
    """Return a response with a plain-text body."""
    all_headers = [("Content-Type", "text/plain; charset=utf-8"), *(headers or [])]
    return HttpResponse(status, all_headers, text.encode("utf-8"))


def html_response(
    status: int, title: str, headers: list[tuple[str, str]] | None = None
) -> HttpResponse:
    """Return a response with a small HTML error page, as a proxy or web server would send."""
    page = (
        f"<!DOCTYPE html><html><head><title>{status} {title}</title></head>"
        f"<body><h1>{status} {title}</h1><p>GravityZone API emulator</p></body></html>"
    )
    all_headers = [("Content-Type", "text/html; charset=utf-8"), *(headers or [])]
    return HttpResponse(status, all_headers, page.encode("utf-8"))
