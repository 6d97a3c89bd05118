"""Conversion of playbook strings to the types an action's input schema expects.

Playbook forms and templates hand over text. Before validation, a string is converted when the
schema expects another type at that field. ``"true"``/``"false"`` become booleans, an integer
string an integer, JSON text an object or array, and a comma-separated string an array of
strings. Anything that still does not fit is left for validation to reject with its path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import referencing

# A field path with "*" for any array index, mapped to the JSON type expected there.
ConversionPlan = dict[tuple[str, ...], str]

_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_CONVERTIBLE = ("boolean", "integer", "array", "object")
_MAX_DEPTH = 12


def build_conversion_plan(
    schema: Mapping[str, Any], resolver: referencing.Resolver
) -> ConversionPlan:
    """Return the fields of ``schema`` whose only type is boolean, integer, array or object."""
    plan: ConversionPlan = {}
    _walk(schema, resolver, (), plan, 0)
    return plan


def convert_inputs(inputs: Any, plan: ConversionPlan) -> tuple[Any, list[str]]:
    """Return a converted copy of ``inputs`` and one line per conversion made.

    The input itself is never changed. Values that are already of the expected type, and strings
    that cannot be converted, are returned as they are.
    """
    conversions: list[str] = []
    # The deepest field of the plan, computed once per call instead of at every value.
    max_depth = max(map(len, plan), default=0)
    converted = _convert(inputs, (), "", plan, conversions, max_depth)
    return converted, conversions


def _walk(
    schema: Any,
    resolver: referencing.Resolver,
    path: tuple[str, ...],
    plan: ConversionPlan,
    depth: int,
) -> None:
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return
    if "$ref" in schema:
        resolved = resolver.lookup(schema["$ref"])
        _walk(resolved.contents, resolved.resolver, path, plan, depth + 1)
    for keyword in ("allOf",):
        for subschema in schema.get(keyword, ()):
            _walk(subschema, resolver, path, plan, depth + 1)

    expected_type = schema.get("type")
    if isinstance(expected_type, str) and expected_type in _CONVERTIBLE and path:
        plan.setdefault(path, expected_type)
    for name, subschema in schema.get("properties", {}).items():
        _walk(subschema, resolver, (*path, name), plan, depth + 1)
    if isinstance(schema.get("items"), Mapping):
        _walk(schema["items"], resolver, (*path, "*"), plan, depth + 1)


def _convert(
    value: Any,
    path: tuple[str, ...],
    shown: str,
    plan: ConversionPlan,
    log: list[str],
    max_depth: int,
) -> Any:
    if len(path) > max_depth:
        # No field this deep can be converted. Stopping here also keeps a deeply nested input
        # from exhausting the recursion limit, and validation then rejects it with its path.
        return value
    expected_type = plan.get(path)
    if isinstance(value, str) and expected_type:
        converted = _convert_text(value, expected_type)
        if converted is not None:
            # JSON text may carry a secret such as the Exchange password, so only scalars
            # are quoted in the log.
            quoted = _short(value) if expected_type in ("boolean", "integer") else "text"
            log.append(f"{shown}: {quoted} converted to {expected_type}")
            value = converted
    if isinstance(value, (str, int, float)) or value is None:
        # Most values are scalars, and this check is far cheaper than the Mapping check below.
        return value
    if isinstance(value, Mapping):
        return {
            key: _convert(
                item,
                (*path, str(key)),
                f"{shown}.{key}" if shown else str(key),
                plan,
                log,
                max_depth,
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            _convert(item, (*path, "*"), f"{shown}[{index}]", plan, log, max_depth)
            for index, item in enumerate(value)
        ]
    return value


def _convert_text(text: str, expected_type: str) -> Any:
    stripped = text.strip()
    if expected_type == "boolean":
        lowered = stripped.lower()
        return {"true": True, "false": False}.get(lowered)
    if expected_type == "integer":
        if not _INTEGER.match(stripped):
            return None
        try:
            return int(stripped)
        except ValueError:  # more digits than sys.get_int_max_str_digits() allows
            return None
    if expected_type == "object":
        parsed = _parse_json(stripped)
        return parsed if isinstance(parsed, dict) else None
    if expected_type == "array":
        if stripped.startswith("["):
            parsed = _parse_json(stripped)
            return parsed if isinstance(parsed, list) else None
        return [part.strip() for part in stripped.split(",") if part.strip()]
    return None


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's limit
        return None


def _short(text: str, limit: int = 60) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."
