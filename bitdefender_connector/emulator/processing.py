"""Turns a received HTTP request into the emulator's response, step by step.

Checks run in this order: unknown path (404), method other than POST (405), authentication (401),
API area of the key (403), Content-Type (415), injected fault, rate limit (429), and then JSON-RPC
processing, whose responses all have HTTP status 200.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from . import http_errors
from .api_keys import ApiKey, ApiKeyStore
from .auth import AuthenticationFailed, authenticate
from .control import ControlHandler
from .dispatch import Dispatcher
from .fault_responses import build_fault_response
from .faults import FaultQueue
from .jsonrpc import JsonRpcError, ParsedBody, RequestId, error_body, parse_body
from .rate_limits import RateLimiter, retry_after_header
from .recording import RecordedRequest, RequestLog
from .registry import rate_class_of
from .responses import HttpResponse, json_response
from .routes import Route, find_route, is_control_path


@dataclass(frozen=True)
class Outcome:
    """The response, with the JSON-RPC method and request id for the log line."""

    response: HttpResponse
    jsonrpc_method: str | None = None
    request_id: RequestId = None


def _is_json_content_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


class RequestProcessor:
    """Applies routing, authentication, faults, rate limits and dispatch to one request."""

    def __init__(
        self,
        keys: ApiKeyStore,
        dispatcher: Dispatcher,
        faults: FaultQueue,
        limiter: RateLimiter,
        control: ControlHandler,
        request_log: RequestLog,
    ) -> None:
        self._keys = keys
        self._dispatcher = dispatcher
        self._faults = faults
        self._limiter = limiter
        self._control = control
        self._request_log = request_log

    def process(
        self, http_method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> Outcome:
        """Return the outcome of one request, recording `headers` with their names as sent."""
        parsed = parse_body(body)
        control = is_control_path(path)
        if not control:
            self._record(http_method, path, headers, body, parsed)
        lower_headers = {name.lower(): value for name, value in headers.items()}
        method_name = parsed.method_name
        request_id = parsed.request_id

        route = find_route(path)
        if route is None and not control:
            response = http_errors.not_found(path.split("?", 1)[0])
            return Outcome(response, method_name, request_id)
        if http_method != "POST":
            response = http_errors.method_not_allowed(http_method)
            return Outcome(response, method_name, request_id)

        try:
            api_key = authenticate(lower_headers.get("authorization"), self._keys)
        except AuthenticationFailed as failure:
            return Outcome(
                http_errors.unauthorized(request_id, str(failure)), method_name, request_id
            )

        if route is None:
            control_body = self._control.handle(parsed)
            return Outcome(json_response(200, control_body), method_name, request_id)
        response = self._process_jsonrpc(route, api_key, lower_headers, parsed)
        return Outcome(response, method_name, request_id)

    def _record(
        self,
        http_method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
        parsed: ParsedBody,
    ) -> None:
        self._request_log.append(
            RecordedRequest(
                http_method=http_method,
                path=path,
                headers=dict(headers),
                body=body,
                json=parsed.document,
                jsonrpc_method=parsed.method_name,
            )
        )

    def _process_jsonrpc(
        self, route: Route, api_key: ApiKey, lower_headers: Mapping[str, str], parsed: ParsedBody
    ) -> HttpResponse:
        request_id = parsed.request_id
        if not api_key.allows(route.area):
            return http_errors.forbidden(request_id, route.area)
        content_type = lower_headers.get("content-type")
        if not _is_json_content_type(content_type):
            return http_errors.unsupported_media_type(content_type)

        injection = self._faults.take(parsed.method_name)
        if injection is not None:
            return build_fault_response(
                injection, request_id, lambda: self._run(route, api_key, parsed, dry_run=True)
            )

        wait = self._limiter.admit(api_key.key, rate_class_of(parsed.method_name))
        if wait is not None:
            return http_errors.too_many_requests(request_id, retry_after_header(wait))
        return json_response(200, self._run(route, api_key, parsed, dry_run=False))

    def _run(self, route: Route, api_key: ApiKey, parsed: ParsedBody, dry_run: bool) -> dict:
        call = parsed.outcome
        if isinstance(call, JsonRpcError):
            return error_body(parsed.request_id, call)
        return self._dispatcher.call(call, route, api_key, dry_run=dry_run)
