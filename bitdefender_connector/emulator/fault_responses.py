"""The HTTP responses of injected faults.

Options and defaults:
- http_503 and http_429: `retry_after` sets the Retry-After header, as whole seconds or a raw
  string (http_429 defaults to 1, http_503 sends none). With `retry_after_http_date=True`, integer
  seconds are sent as an HTTP date that many seconds from now (wall clock).
- jsonrpc_error*: `code` (default -32000), `message` (default "Server error") and `details`, which
  becomes data {"details": ...}, a data string, or a one-element data list.
- wrong_id: `response_id` is the id to send (default: the request id with "-other" appended).
- delay: `seconds` (default 120) is the longest wait before the normal response. Stopping the
  emulator ends the wait and drops the connection.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

from .faults import Fault, FaultInjection
from .http_errors import too_many_requests
from .jsonrpc import SERVER_ERROR, JsonRpcError, RequestId, error_body
from .responses import HttpResponse, html_response, json_response

DEFAULT_DELAY_SECONDS = 120.0
DEFAULT_429_RETRY_AFTER = 1
DEFAULT_ERROR_DETAILS = "The GravityZone emulator injected this error."

DryRun = Callable[[], dict[str, Any]]


def _retry_after_value(options: dict[str, Any], default: int | None) -> str | None:
    value = options.get("retry_after", default)
    if value is None:
        return None
    if isinstance(value, int) and options.get("retry_after_http_date", False):
        return formatdate(time.time() + value, usegmt=True)
    return str(value)


def _jsonrpc_error(injection: FaultInjection, request_id: RequestId) -> HttpResponse:
    options = injection.options
    details = options.get("details", DEFAULT_ERROR_DETAILS)
    data: Any = None
    if injection.fault is Fault.JSONRPC_ERROR:
        data = {"details": details}
    elif injection.fault is Fault.JSONRPC_ERROR_DATA_STRING:
        data = details
    elif injection.fault is Fault.JSONRPC_ERROR_DATA_LIST:
        data = [details]
    error = JsonRpcError(
        options.get("code", SERVER_ERROR), options.get("message", "Server error"), data
    )
    return json_response(200, error_body(request_id, error))


def _service_unavailable(injection: FaultInjection) -> HttpResponse:
    retry_after = _retry_after_value(injection.options, None)
    headers = [("Retry-After", retry_after)] if retry_after is not None else []
    return html_response(503, "Service Unavailable", headers)


def _truncated_json(dry_run: DryRun) -> HttpResponse:
    body = json.dumps(dry_run(), separators=(",", ":")).encode("utf-8")
    return HttpResponse(200, [("Content-Type", "application/json")], body[: len(body) // 2])


def _wrong_id(injection: FaultInjection, request_id: RequestId, dry_run: DryRun) -> HttpResponse:
    document = dry_run()
    document["id"] = injection.options.get("response_id", f"{request_id}-other")
    return json_response(200, document)


def _delayed(injection: FaultInjection, dry_run: DryRun) -> HttpResponse:
    response = json_response(200, dry_run())
    response.delay_seconds = float(injection.options.get("seconds", DEFAULT_DELAY_SECONDS))
    return response


def build_fault_response(
    injection: FaultInjection, request_id: RequestId, dry_run: DryRun
) -> HttpResponse:
    """Return the response for an injected fault.

    `dry_run` returns the JSON-RPC body the call would get, computed on a copy of the state, so
    that no fault changes the state.
    """
    fault = injection.fault
    if fault is Fault.HTTP_500_HTML:
        return html_response(500, "Internal Server Error")
    if fault is Fault.HTTP_502_HTML:
        return html_response(502, "Bad Gateway")
    if fault is Fault.HTTP_503:
        return _service_unavailable(injection)
    if fault is Fault.EMPTY_200:
        return HttpResponse(200, [("Content-Type", "application/json")], b"")
    if fault is Fault.HTTP_204:
        return HttpResponse(204, [], None)
    if fault is Fault.TRUNCATED_JSON:
        return _truncated_json(dry_run)
    if fault is Fault.HTTP_429:
        retry_after = _retry_after_value(injection.options, DEFAULT_429_RETRY_AFTER)
        return too_many_requests(request_id, retry_after)
    if fault is Fault.WRONG_ID:
        return _wrong_id(injection, request_id, dry_run)
    if fault is Fault.DELAY:
        return _delayed(injection, dry_run)
    if fault is Fault.DROP_CONNECTION:
        return HttpResponse(0, drop_connection=True, body=None)
    return _jsonrpc_error(injection, request_id)
