"""Response envelope and outcome: decides whether a response means the action succeeded."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from .errors import ActionFailedError
from .manifest import Action
from .request_builder import PreparedRequest
from .retry_policy import parse_retry_after

EXCERPT_LENGTH = 200
_TAG = re.compile(r"<[^>]*>")
# Control characters, such as the ESC of terminal colour codes, that server text must not carry
# into a log or terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_HIDDEN_BLOCK = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)

# JSON-RPC 2.0 standard codes, for messages when the server sends no text of its own.
JSONRPC_ERROR_NAMES = {
    -32700: "Parse error",
    -32600: "Invalid Request",
    -32601: "Method not found",
    -32602: "Invalid params",
    -32603: "Internal error",
}


def build_envelope(
    status_code: int, reason: str | None, headers: Mapping[str, str], content: bytes
) -> dict[str, Any]:
    """Return ``{status_code, reason, response_headers, json_body}`` for any HTTP response.

    ``json_body`` is None when the body is empty or not JSON; decoding never raises.
    """
    return {
        "status_code": status_code,
        "reason": reason or _standard_reason(status_code),
        "response_headers": {str(name): str(value) for name, value in headers.items()},
        "json_body": decode_json(content),
    }


def decode_json(content: bytes) -> Any:
    """Return the decoded JSON document, or None for an empty or non-JSON body."""
    if not content or not content.strip():
        return None
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        # ValueError covers UnicodeDecodeError. RecursionError comes from very deep nesting.
        return None


def check_outcome(
    action: Action,
    prepared: PreparedRequest,
    envelope: Mapping[str, Any],
    content: bytes,
    rate_limit_note: str = "",
) -> None:
    """Raise ActionFailedError unless the envelope is a 2xx JSON-RPC response with a result.

    GravityZone reports bad params, unknown ids and missing rights as HTTP 200 with an
    ``error`` member, so the status alone is not enough. A result of ``false`` means the action
    was not performed.
    """
    status = envelope["status_code"]
    body = envelope["json_body"]
    if not 200 <= status < 300:
        message, code = _describe_status(action, envelope, content, rate_limit_note)
        raise ActionFailedError(message, envelope, code)
    if body is None:
        raise ActionFailedError(
            f"{action.name}: the response is not JSON (HTTP {status}"
            f"{_content_type(envelope, content)}){_excerpt(content)}. Check that url is the API "
            "access URL and that no proxy or login page answers instead of GravityZone",
            envelope,
            "not_json",
        )
    if not isinstance(body, Mapping) or ("result" not in body and body.get("error") is None):
        raise ActionFailedError(
            f"{action.name}: the response is JSON but not a JSON-RPC response (no result or "
            f"error member){_excerpt(content)}",
            envelope,
            "not_jsonrpc",
        )
    if "error" in body and body["error"] is not None:
        raise ActionFailedError(
            f"{action.name}: {describe_jsonrpc_error(body['error'])}", envelope, "jsonrpc_error"
        )
    if body.get("id") != prepared.request_id:
        raise ActionFailedError(
            f"{action.name}: the response id {body.get('id')!r} does not match the request id "
            f"{prepared.request_id!r}; a proxy or cache may have returned another call's "
            "response. Check the result in Control Center",
            envelope,
            "id_mismatch",
        )
    if body.get("result") is False:
        raise ActionFailedError(
            f"{action.name}: GravityZone returned false for {action.jsonrpc_method}, so the "
            "action was not performed. Check the target ids and their state in Control Center",
            envelope,
            "result_false",
        )


def describe_jsonrpc_error(error: Any) -> str:
    """Return ``GravityZone error <code> (<message>): <details>`` for any shape of error member."""
    if not isinstance(error, Mapping):
        return f"GravityZone error: {_short(error)}"
    code = error.get("code")
    is_number = isinstance(code, int) and not isinstance(code, bool)
    standard_name = JSONRPC_ERROR_NAMES.get(code, "no message") if is_number else "no message"
    message = error.get("message") or standard_name
    code_text = str(code) if is_number else "without a numeric code"
    text = f"GravityZone error {code_text} ({_short(message)})"
    details = _error_details(error.get("data"))
    return f"{text}: {details}" if details else text


def _error_details(data: Any) -> str:
    if data is None or data == "" or data == {} or data == []:
        return ""
    if isinstance(data, Mapping):
        if "details" in data:
            return _short(data["details"])
        return _short(json.dumps(data, ensure_ascii=False, default=str))
    if isinstance(data, list):
        return "; ".join(_short(item) for item in data[:5])
    return _short(data)


def _describe_status(
    action: Action, envelope: Mapping[str, Any], content: bytes, rate_limit_note: str
) -> tuple[str, str]:
    status = envelope["status_code"]
    prefix = f"{action.name}: HTTP {status} {envelope['reason']}"
    if status == 401:
        return (
            f"{prefix}: GravityZone rejected the API key. Check username (or "
            "BITDEFENDER_API_KEY); a key works only on the console that issued it",
            "unauthorized",
        )
    if status == 403:
        return (
            f"{prefix}: the API key lacks the {action.api_area} API area that {action.name} "
            f"needs. In Control Center open My Account > API keys and enable {action.api_area} "
            "for this key, or create a key that has it",
            "forbidden",
        )
    if status == 405:
        return (
            f"{prefix}: the endpoint accepts only POST. Check that url is the API access URL and "
            "that no proxy changes the request method",
            "method_not_allowed",
        )
    if status == 429:
        wait = parse_retry_after(_header(envelope, "retry-after"))
        wait_text = f"retry after {wait:g} s" if wait is not None else "wait before retrying"
        return (
            f"{prefix}: rate limited by GravityZone, {wait_text}.{rate_limit_note}",
            "rate_limited",
        )
    if status >= 500:
        return (
            f"{prefix}: the GravityZone service or a proxy in front of it failed"
            f"{_excerpt(content)}. Try again later; for a task action, first check in Control "
            "Center whether the task was created",
            "server_error",
        )
    if 300 <= status < 400:
        location = _header(envelope, "location") or "no Location header"
        return (
            f"{prefix}: the server redirects to {location!r}, and the connector does not follow "
            "redirects so that the API key is not sent elsewhere. Check that url is the API "
            "access URL (https, host and path) as Control Center shows it",
            "redirect",
        )
    if status == 404:
        return (
            f"{prefix}: no JSON-RPC endpoint at this path{_excerpt(content)}. Check that url is "
            "the API access URL, which ends in /api, and that no proxy rewrites the path",
            "not_found",
        )
    return (f"{prefix}: unexpected HTTP status{_excerpt(content)}", "http_error")


def _header(envelope: Mapping[str, Any], name: str) -> str | None:
    for key, value in envelope["response_headers"].items():
        if key.lower() == name:
            return value
    return None


def _content_type(envelope: Mapping[str, Any], content: bytes) -> str:
    if not content:
        return ", empty body"
    value = _header(envelope, "content-type")
    return f", {value.split(';')[0]}" if value else ", no Content-Type"


def _excerpt(content: bytes) -> str:
    """Return ``: <text>`` with tags stripped and whitespace collapsed, or '' for no text."""
    if not content:
        return ""
    text = content[: EXCERPT_LENGTH * 20].decode("utf-8", errors="replace")
    text = _HIDDEN_BLOCK.sub(" ", text)
    text = html.unescape(_TAG.sub(" ", text))
    text = " ".join(_CONTROL.sub(" ", text).split())
    if not text:
        return ""
    if len(text) > EXCERPT_LENGTH:
        text = text[: EXCERPT_LENGTH - 3] + "..."
    return f": {text!r}"


def _short(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _standard_reason(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return ""
