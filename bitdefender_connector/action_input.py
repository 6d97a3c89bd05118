"""Checks of an action's input: the input schema, the JSON-RPC method and date ranges."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from .errors import FieldError, InputError
from .manifest import Action
from .validation import collect_field_errors, format_path

JSON_BODY = "json_body"
PATH_PARAMETERS = "path_parameters"
# The deepest action input, create_rule's json_body.params.settings.criteriaList[i].value[j],
# has 7 levels. The limit leaves room and stays far below Python's recursion limit.
MAX_INPUT_DEPTH = 32
# The form of definitions.json isoDateTime; the schema checks ranges such as month 01 to 12.
# It ends in \Z, because Python's $ also matches before a trailing newline.
_ISO_DATE_TIME = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?\Z"
)


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
    depth_error = _check_depth(inputs)
    if depth_error:
        raise InputError(action.name, [depth_error])

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


def _check_depth(inputs: Mapping[str, Any]) -> FieldError | None:
    """Reject objects and arrays nested deeper than MAX_INPUT_DEPTH.

    Schema validation recurses once per level and would exhaust Python's recursion limit at a
    few hundred levels. The walk here uses a list instead of recursion.
    """
    if _is_within_depth(inputs, MAX_INPUT_DEPTH):
        return None
    pending: list[tuple[Any, tuple[Any, ...]]] = [(inputs, ())]
    while pending:
        value, path = pending.pop()
        if isinstance(value, Mapping):
            children = [(item, (*path, str(key))) for key, item in value.items()]
        elif isinstance(value, list):
            children = [(item, (*path, index)) for index, item in enumerate(value)]
        else:
            continue
        if len(path) >= MAX_INPUT_DEPTH:
            return FieldError(
                format_path(path),
                "depth",
                f"is nested more than {MAX_INPUT_DEPTH} levels deep; no GravityZone input "
                "needs that many",
            )
        pending.extend(children)
    return None


def _is_within_depth(inputs: Any, limit: int) -> bool:
    """Return True unless an object or array in ``inputs`` is nested ``limit`` levels deep.

    The same walk as _check_depth, one level at a time and without field paths, which made
    that walk cost about 15 µs for create_rule's example. _check_depth builds paths only to
    name a failure.
    """
    level: list[Any] = [inputs]
    depth = 0
    while level:
        children: list[Any] = []
        for value in level:
            if isinstance(value, (str, int, float)) or value is None:
                continue
            if isinstance(value, list):
                children.extend(value)
            elif isinstance(value, Mapping):
                children.extend(value.values())
            else:
                continue
            if depth >= limit:
                return False
        level = children
        depth += 1
    return True


def _check_date_ranges(action: Action, inputs: Mapping[str, Any]) -> list[FieldError]:
    errors = []
    for start_path, end_path in action.date_ranges:
        start = _lookup(inputs, start_path)
        end = _lookup(inputs, end_path)
        # The schema pattern has accepted the form, so a value that does not parse names a
        # day that does not exist, such as February 30.
        for path, value in ((start_path, start), (end_path, end)):
            if isinstance(value, str) and _parse_time(value) is None:
                errors.append(
                    FieldError(path, "date", f"{value!r} is not a valid calendar date and time")
                )
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
    """Return the moment a definitions.json isoDateTime names, or None for an invalid one.

    A regular expression, not datetime.fromisoformat, because Python 3.10's fromisoformat
    rejects forms the schema allows, such as one fractional digit or a +0200 offset.
    """
    match = _ISO_DATE_TIME.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    zone = None
    if offset == "Z":
        zone = timezone.utc
    elif offset:
        sign = -1 if offset[0] == "-" else 1
        span = timedelta(hours=int(offset[1:3]), minutes=int(offset[-2:]))
        zone = timezone(sign * span)
    microsecond = int((fraction or "0").ljust(6, "0"))
    try:
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), microsecond, zone
        )
    except ValueError:
        return None


def drop_empty_path_parameters(action: Action, inputs: Any) -> Any:
    """Return ``inputs`` without an empty ``path_parameters`` on an action that has none.

    Platform forms often send ``path_parameters: {}`` or null for every action. Such an empty
    value carries nothing, so it is dropped rather than rejected.
    """
    if (
        isinstance(inputs, Mapping)
        and PATH_PARAMETERS in inputs
        and inputs[PATH_PARAMETERS] in ({}, None)
        and PATH_PARAMETERS not in action.inputs_schema.get("properties", {})
    ):
        return {key: value for key, value in inputs.items() if key != PATH_PARAMETERS}
    return inputs
