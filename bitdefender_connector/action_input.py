"""Checks of an action's input: the input schema, the JSON-RPC method and date ranges."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .errors import FieldError, InputError
from .manifest import Action
from .validation import collect_field_errors

JSON_BODY = "json_body"
PATH_PARAMETERS = "path_parameters"


def check_action_input(action: Action, inputs: Any) -> None:
    """Raise InputError, naming every bad field, unless ``inputs`` is valid for ``action``."""
    if not isinstance(inputs, Mapping):
        raise InputError(
            action.name,
            [
                FieldError(
                    "(input)", "type", "must be an object with json_body (and path_parameters)"
                )
            ],
        )
    method_error = _check_method(action, inputs)
    if method_error:
        raise InputError(action.name, [method_error])

    errors = collect_field_errors(action.input_validator, inputs, action.secret_fields)
    if not errors:
        errors = _check_date_ranges(action, inputs)
    if errors:
        raise InputError(action.name, errors)


def _check_method(action: Action, inputs: Mapping[str, Any]) -> FieldError | None:
    """Reject a caller-supplied JSON-RPC method that is not the action's own.

    Without this check a playbook step could call any method through any action.
    """
    json_body = inputs.get(JSON_BODY)
    if not isinstance(json_body, Mapping) or "method" not in json_body:
        return None
    method = json_body["method"]
    if method == action.jsonrpc_method:
        return None
    return FieldError(
        f"{JSON_BODY}.method",
        "const",
        f"{method!r} does not match this action's JSON-RPC method {action.jsonrpc_method!r}; "
        "remove the field or use the action that calls that method",
    )


def _check_date_ranges(action: Action, inputs: Mapping[str, Any]) -> list[FieldError]:
    errors = []
    for start_path, end_path in action.date_ranges:
        start = _lookup(inputs, start_path)
        end = _lookup(inputs, end_path)
        if not isinstance(start, str) or not isinstance(end, str):
            continue
        start_time, end_time = _parse_time(start), _parse_time(end)
        if start_time is None or end_time is None:
            continue
        if start_time.tzinfo is None or end_time.tzinfo is None:
            # GravityZone's own examples carry no offset; compare such values as written.
            start_time, end_time = start_time.replace(tzinfo=None), end_time.replace(tzinfo=None)
        if end_time < start_time:
            errors.append(
                FieldError(end_path, "date_range", f"{end!r} is before {start_path} {start!r}")
            )
    return errors


def _lookup(data: Any, dotted_path: str) -> Any:
    for part in dotted_path.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
