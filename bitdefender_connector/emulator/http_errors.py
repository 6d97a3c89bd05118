"""Responses for failures outside JSON-RPC processing: 401, 403, 404, 405, 413, 415 and 429.

401, 403 and 429 carry a JSON-RPC error body with code -32001 or -32003. It echoes the request id
when the id can be read. The other statuses have plain-text bodies.
"""

from __future__ import annotations

from .jsonrpc import AUTHORIZATION_ERROR, TOO_MANY_REQUESTS, JsonRpcError, RequestId, error_body
from .responses import HttpResponse, json_response, text_response

AUTH_REALM = 'Basic realm="GravityZone API emulator"'


def unauthorized(request_id: RequestId, details: str) -> HttpResponse:
    """Return 401: the API key is missing, malformed or unknown."""
    error = JsonRpcError(AUTHORIZATION_ERROR, "Authorization error", {"details": details})
    return json_response(401, error_body(request_id, error), [("WWW-Authenticate", AUTH_REALM)])


def forbidden(request_id: RequestId, area: str) -> HttpResponse:
    """Return 403: the API key does not have the route's API area enabled."""
    details = f"The API key is not allowed to use the {area.capitalize()} API."
    error = JsonRpcError(AUTHORIZATION_ERROR, "Authorization error", {"details": details})
    return json_response(403, error_body(request_id, error))


def too_many_requests(request_id: RequestId, retry_after: str | None) -> HttpResponse:
    """Return 429 with the given Retry-After header value (no header when None)."""
    error = JsonRpcError(
        TOO_MANY_REQUESTS,
        "Too many requests",
        {"details": "The API key sent more requests than its rate limit allows."},
    )
    headers = [("Retry-After", retry_after)] if retry_after is not None else []
    return json_response(429, error_body(request_id, error), headers)


def not_found(path: str) -> HttpResponse:
    """Return 404 for a path that no route serves."""
    return text_response(404, f"404 Not Found: no JSON-RPC service at {path}\n")


def method_not_allowed(http_method: str) -> HttpResponse:
    """Return 405 for any HTTP method other than POST."""
    return text_response(
        405,
        f"405 Method Not Allowed: {http_method} is not supported, use POST\n",
        [("Allow", "POST")],
    )


def unsupported_media_type(content_type: str | None) -> HttpResponse:
    """Return 415 when the body is not declared as application/json."""
    received = content_type if content_type else "no Content-Type header"
    return text_response(
        415, f"415 Unsupported Media Type: send Content-Type: application/json (got {received})\n"
    )


def payload_too_large(limit: int) -> HttpResponse:
    """Return 413 for a body over the size limit."""
    return text_response(413, f"413 Payload Too Large: the body limit is {limit} bytes\n")
