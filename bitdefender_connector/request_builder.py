"""Request builder: turns a checked action input into the HTTP request to send."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import __version__
from .action_input import JSON_BODY, PATH_PARAMETERS
from .connection import Connection
from .errors import FieldError, InputError
from .manifest import Action
from .path_template import PathParameterError

JSONRPC_VERSION = "2.0"
ENDPOINT_PREFIX = "api/"
BASE_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "User-Agent": f"bitdefender-connector/{__version__}",
}


@dataclass(frozen=True)
class PreparedRequest:
    """An HTTP request ready to send: URL, headers without authentication, body and its bytes."""

    action: Action
    http_method: str
    url: str
    headers: Mapping[str, str]
    # Left out of the repr, because the body may carry a secret such as the Exchange password.
    json_body: Mapping[str, Any] = field(repr=False)
    body: bytes = field(repr=False)

    @property
    def request_id(self) -> str:
        return str(self.json_body["id"])


def build_request(
    action: Action, inputs: Mapping[str, Any], connection: Connection
) -> PreparedRequest:
    """Return the request for ``inputs``, which check_action_input has accepted.

    The JSON-RPC body is built as data: user values are never put into template source, and
    only the path parameters go through the path template, once.
    """
    json_body = build_json_body(action, inputs.get(JSON_BODY) or {})
    url = build_url(action, inputs.get(PATH_PARAMETERS) or {}, connection)
    text = json.dumps(json_body, ensure_ascii=False, separators=(",", ":"))
    try:
        body = text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate, as Latin-1 bytes decoded with surrogateescape produce, has no
        # UTF-8 form. The walk that finds its path runs only in this rare case.
        raise InputError(action.name, [_unencodable_field(json_body)]) from None
    return PreparedRequest(action, action.http_method, url, dict(BASE_HEADERS), json_body, body)


def _unencodable_field(json_body: Mapping[str, Any]) -> FieldError:
    pending: list[tuple[str, Any]] = [("json_body", json_body)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, Mapping):
            pending.extend((f"{path}.{key}", item) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return FieldError(
                    path, "encoding", "contains characters that are not valid Unicode text"
                )
    return FieldError("json_body", "encoding", "contains characters that are not valid Unicode")


def build_json_body(action: Action, json_body: Mapping[str, Any]) -> dict[str, Any]:
    """Return the JSON-RPC 2.0 request, filling in ``jsonrpc``, ``method`` and a fresh ``id``."""
    request_id = json_body.get("id") or str(uuid.uuid4())
    return {
        "id": request_id,
        "jsonrpc": JSONRPC_VERSION,
        "method": action.jsonrpc_method,
        "params": copy_json(dict(json_body.get("params") or {})),
    }


def copy_json(value: Any) -> Any:
    """Return a copy of JSON data in which every object and array is new.

    Strings, numbers, booleans and null are immutable and so shared. This is several times
    faster than copy.deepcopy, which keeps a memo of every value it visits.
    """
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return copy.deepcopy(value)


def build_url(action: Action, path_parameters: Mapping[str, Any], connection: Connection) -> str:
    """Return the endpoint URL under the connection's JSON-RPC root."""
    values = {**action.path_parameter_defaults, **path_parameters}
    try:
        path = action.endpoint.render(values)
    except PathParameterError as error:
        raise InputError(action.name, [FieldError(PATH_PARAMETERS, "path", str(error))]) from None
    relative = path.removeprefix(ENDPOINT_PREFIX)
    url = f"{connection.access_url}/{relative}"
    # requests removes "." and ".." segments before sending, so a URL that starts with the root
    # but has them may still leave it.
    has_dot_segment = any(segment in (".", "..") for segment in relative.split("/"))
    if has_dot_segment or not url.startswith(connection.jsonrpc_root):
        # The manifest pattern and the segment encoding should make this impossible, so the
        # check guards against a future manifest edit sending the API key elsewhere on the host.
        raise InputError(
            action.name,
            [FieldError(PATH_PARAMETERS, "path", f"the URL would leave {connection.jsonrpc_root}")],
        )
    return url
