"""Validation of named JSON-RPC parameters, raising -32602 errors that name the parameter."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from .jsonrpc import InvalidParams

OBJECT_ID_PATTERN = re.compile(r"[0-9a-fA-F]{24}")
MAX_IDS_PER_CALL = 100

_MISSING = object()


def json_type_name(value: Any) -> str:
    """Return the JSON name of a decoded value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def is_object_id(value: Any) -> bool:
    """Return True for a string of exactly 24 hexadecimal characters."""
    return isinstance(value, str) and OBJECT_ID_PATTERN.fullmatch(value) is not None


class ParamReader:
    """Typed access to one params object (or a nested object inside it).

    Unknown names are rejected when the reader is created. Optional parameters that are present
    must have the right type, and an explicit null is rejected, because Bitdefender's pages
    describe optional parameters as ones to omit. Names in messages are dotted paths such as
    `settings.criteriaList[1].relation`.
    """

    def __init__(self, params: Mapping[str, Any], allowed: Iterable[str], path: str = "") -> None:
        self._params = params
        self._path = path
        allowed_names = sorted(allowed)
        unknown = sorted(set(params) - set(allowed_names))
        if unknown:
            accepted = ", ".join(allowed_names) if allowed_names else "none"
            raise InvalidParams(
                f"Unknown parameter '{self.name(unknown[0])}'. Accepted: {accepted}."
            )

    def name(self, key: str) -> str:
        """Return the dotted path of a parameter, for messages."""
        return f"{self._path}.{key}" if self._path else key

    def has(self, key: str) -> bool:
        """Return True when the parameter is present."""
        return key in self._params

    def _get(self, key: str, required: bool) -> Any:
        value = self._params.get(key, _MISSING)
        if value is _MISSING:
            if required:
                raise InvalidParams(f"Missing required parameter '{self.name(key)}'.")
            return _MISSING
        if value is None:
            raise InvalidParams(
                f"'{self.name(key)}' must not be null. Omit optional parameters instead of "
                "sending null."
            )
        return value

    def _type_error(self, key: str, expected: str, value: Any) -> InvalidParams:
        return InvalidParams(f"'{self.name(key)}' must be {expected}, got {json_type_name(value)}.")

    def object_id(self, key: str) -> str:
        """Return a required 24-hex ID, lower-cased."""
        return self._check_object_id(key, self._get(key, required=True))

    def optional_object_id(self, key: str) -> str | None:
        """Return an optional 24-hex ID, lower-cased, or None when absent."""
        value = self._get(key, required=False)
        return None if value is _MISSING else self._check_object_id(key, value)

    def _check_object_id(self, key: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self._type_error(key, "a string of 24 hexadecimal characters", value)
        if not is_object_id(value):
            raise InvalidParams(
                f"'{self.name(key)}' must be exactly 24 hexadecimal characters, got {value!r}."
            )
        return value.lower()

    def object_id_list(self, key: str, max_items: int = MAX_IDS_PER_CALL) -> list[str]:
        """Return a required, non-empty list of at most `max_items` 24-hex IDs, lower-cased."""
        values = self._get(key, required=True)
        if not isinstance(values, list):
            raise self._type_error(key, "an array of IDs", values)
        if not values:
            raise InvalidParams(f"'{self.name(key)}' must contain at least one ID.")
        if len(values) > max_items:
            raise InvalidParams(
                f"'{self.name(key)}' contains {len(values)} IDs, but at most {max_items} are "
                "allowed per call."
            )
        ids = []
        for index, value in enumerate(values):
            if not is_object_id(value):
                raise InvalidParams(
                    f"'{self.name(key)}[{index}]' must be exactly 24 hexadecimal characters, "
                    f"got {value!r}."
                )
            ids.append(value.lower())
        return ids

    def string(self, key: str, allow_empty: bool = True) -> str:
        """Return a required string parameter."""
        return self._check_string(key, self._get(key, required=True), allow_empty)

    def optional_string(self, key: str, allow_empty: bool = True) -> str | None:
        """Return an optional string parameter, or None when absent."""
        value = self._get(key, required=False)
        return None if value is _MISSING else self._check_string(key, value, allow_empty)

    def _check_string(self, key: str, value: Any, allow_empty: bool) -> str:
        if not isinstance(value, str):
            raise self._type_error(key, "a string", value)
        if not allow_empty and not value.strip():
            raise InvalidParams(f"'{self.name(key)}' must not be empty.")
        return value

    def string_list(self, key: str) -> list[str]:
        """Return a required array of strings."""
        return self._check_string_list(key, self._get(key, required=True))

    def optional_string_list(self, key: str) -> list[str] | None:
        """Return an optional array of strings, or None when absent."""
        value = self._get(key, required=False)
        return None if value is _MISSING else self._check_string_list(key, value)

    def _check_string_list(self, key: str, values: Any) -> list[str]:
        if not isinstance(values, list):
            raise self._type_error(key, "an array of strings", values)
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise InvalidParams(
                    f"'{self.name(key)}[{index}]' must be a string, got {json_type_name(value)}."
                )
        return list(values)

    def integer(
        self,
        key: str,
        choices: Collection[int] | None = None,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int:
        """Return a required integer, checked against `choices` or the inclusive bounds."""
        value = self._get(key, required=True)
        return self._check_integer(key, value, choices, minimum, maximum)

    def optional_integer(
        self,
        key: str,
        default: int,
        choices: Collection[int] | None = None,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int:
        """Return an optional integer, or `default` when absent."""
        value = self._get(key, required=False)
        if value is _MISSING:
            return default
        return self._check_integer(key, value, choices, minimum, maximum)

    def _check_integer(
        self,
        key: str,
        value: Any,
        choices: Collection[int] | None,
        minimum: int | None,
        maximum: int | None,
    ) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._type_error(key, "an integer", value)
        if choices is not None and value not in choices:
            allowed = ", ".join(str(choice) for choice in sorted(choices))
            raise InvalidParams(f"'{self.name(key)}' must be one of {allowed}, got {value}.")
        if minimum is not None and value < minimum:
            raise InvalidParams(f"'{self.name(key)}' must be at least {minimum}, got {value}.")
        if maximum is not None and value > maximum:
            raise InvalidParams(f"'{self.name(key)}' must be at most {maximum}, got {value}.")
        return value

    def boolean(self, key: str, default: bool = False) -> bool:
        """Return an optional boolean parameter, or `default` when absent."""
        value = self._get(key, required=False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            raise self._type_error(key, "a boolean", value)
        return value

    def nested(self, key: str, allowed: Iterable[str]) -> ParamReader:
        """Return a reader for a required object parameter."""
        return self._check_nested(key, self._get(key, required=True), allowed)

    def optional_nested(self, key: str, allowed: Iterable[str]) -> ParamReader | None:
        """Return a reader for an optional object parameter, or None when absent."""
        value = self._get(key, required=False)
        return None if value is _MISSING else self._check_nested(key, value, allowed)

    def _check_nested(self, key: str, value: Any, allowed: Iterable[str]) -> ParamReader:
        if not isinstance(value, dict):
            raise self._type_error(key, "an object", value)
        return ParamReader(value, allowed, self.name(key))

    def raw(self, key: str) -> Any:
        """Return a required parameter without type checks (null is still rejected)."""
        return self._get(key, required=True)
