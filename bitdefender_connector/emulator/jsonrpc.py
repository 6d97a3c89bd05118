"""JSON-RPC 2.0 envelopes for the emulator: request parsing, error objects and response bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_ERROR = -32000
AUTHORIZATION_ERROR = -32001
TOO_MANY_REQUESTS = -32003

RequestId = str | int | float | None


class JsonRpcError(Exception):
    """A JSON-RPC error that becomes the `error` member of the response."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_error_object(self) -> dict[str, Any]:
        """Return the error member: code, message and, when set, data."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


class InvalidParams(JsonRpcError):
    """A -32602 error whose `data.details` names the invalid parameter and the reason."""

    def __init__(self, details: str) -> None:
        super().__init__(INVALID_PARAMS, "Invalid params", {"details": details})
        self.details = details


class MethodNotFound(JsonRpcError):
    """A -32601 error, with `data.details` when the method exists on another route."""

    def __init__(self, details: str | None = None) -> None:
        data = {"details": details} if details else None
        super().__init__(METHOD_NOT_FOUND, "Method not found", data)


class InvalidRequest(JsonRpcError):
    """A -32600 error: the body is JSON but not a JSON-RPC 2.0 request object."""

    def __init__(self, details: str) -> None:
        super().__init__(INVALID_REQUEST, "Invalid Request", {"details": details})


class ParseError(JsonRpcError):
    """A -32700 error: the body is not valid JSON."""

    def __init__(self, details: str) -> None:
        super().__init__(PARSE_ERROR, "Parse error", {"details": details})


@dataclass(frozen=True)
class JsonRpcCall:
    """A valid JSON-RPC 2.0 request: its id, method name and named parameters."""

    request_id: RequestId
    method: str
    params: dict[str, Any]


@dataclass(frozen=True)
class ParsedBody:
    """The outcome of parsing a request body.

    `document` is the decoded JSON (None when the body is not JSON). `outcome` is the call when
    the body is a valid request, otherwise the error to return. `request_id` is whatever id could
    be read, so that even an error response can echo it.
    """

    document: Any
    outcome: JsonRpcCall | JsonRpcError
    request_id: RequestId

    @property
    def method_name(self) -> str | None:
        """The `method` member when it is a string, even if the rest of the request is invalid."""
        if isinstance(self.document, dict) and isinstance(self.document.get("method"), str):
            return self.document["method"]
        return None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def decode_json(body: bytes) -> Any:
    """Decode a UTF-8 JSON body, raising ValueError for invalid UTF-8, invalid JSON or NaN."""
    text = body.decode("utf-8")
    return json.loads(text, parse_constant=_reject_constant)


def parse_body(body: bytes) -> ParsedBody:
    """Parse a request body into a JSON-RPC call, or the error that the server must return."""
    try:
        document = decode_json(body)
    except ValueError as error:
        return ParsedBody(None, ParseError(f"The request body is not valid JSON: {error}"), None)

    request_id = _readable_id(document)
    try:
        call = _to_call(document)
    except JsonRpcError as error:
        return ParsedBody(document, error, request_id)
    return ParsedBody(document, call, request_id)


def _readable_id(document: Any) -> RequestId:
    if not isinstance(document, dict):
        return None
    request_id = document.get("id")
    if _is_valid_id(request_id):
        return request_id
    return None


def _is_valid_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return value is None or isinstance(value, (str, int, float))


def _to_call(document: Any) -> JsonRpcCall:
    if isinstance(document, list):
        raise InvalidRequest("Batch requests (JSON arrays) are not supported. Send one object.")
    if not isinstance(document, dict):
        raise InvalidRequest("The request must be a JSON object.")
    if document.get("jsonrpc") != "2.0":
        raise InvalidRequest('The "jsonrpc" member must be the string "2.0".')
    if "id" not in document:
        raise InvalidRequest('The "id" member is missing. Notifications are not supported.')
    if not _is_valid_id(document["id"]):
        raise InvalidRequest('The "id" member must be a string, a number or null.')
    method = document.get("method")
    if not isinstance(method, str):
        raise InvalidRequest('The "method" member must be a string.')
    if "params" not in document:
        raise InvalidRequest('The "params" member is missing. Send {} for a method without params.')
    params = document["params"]
    if not isinstance(params, dict):
        raise InvalidRequest('The "params" member must be an object of named parameters.')
    return JsonRpcCall(document["id"], method, params)


def result_body(request_id: RequestId, result: Any) -> dict[str, Any]:
    """Return a success response body."""
    return {"id": request_id, "jsonrpc": "2.0", "result": result}


def error_body(request_id: RequestId, error: JsonRpcError) -> dict[str, Any]:
    """Return an error response body."""
    return {"id": request_id, "jsonrpc": "2.0", "error": error.to_error_object()}
