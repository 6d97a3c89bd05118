"""Fault injection: failures that the next matching calls get instead of a normal response."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Fault(str, Enum):
    """A failure mode. The value is the name the control route accepts."""

    HTTP_500_HTML = "http_500_html"
    HTTP_502_HTML = "http_502_html"
    HTTP_503 = "http_503"
    EMPTY_200 = "empty_200"
    HTTP_204 = "http_204"
    TRUNCATED_JSON = "truncated_json"
    JSONRPC_ERROR = "jsonrpc_error"
    JSONRPC_ERROR_DATA_STRING = "jsonrpc_error_data_string"
    JSONRPC_ERROR_DATA_LIST = "jsonrpc_error_data_list"
    JSONRPC_ERROR_NO_DATA = "jsonrpc_error_no_data"
    HTTP_429 = "http_429"
    WRONG_ID = "wrong_id"
    DELAY = "delay"
    DROP_CONNECTION = "drop_connection"


_RETRY_AFTER_OPTIONS = frozenset({"retry_after", "retry_after_http_date"})
_JSONRPC_ERROR_OPTIONS = frozenset({"code", "message", "details"})

# Options each fault accepts; fault_responses.py documents their meaning and defaults.
FAULT_OPTIONS: dict[Fault, frozenset[str]] = {
    Fault.HTTP_500_HTML: frozenset(),
    Fault.HTTP_502_HTML: frozenset(),
    Fault.HTTP_503: _RETRY_AFTER_OPTIONS,
    Fault.EMPTY_200: frozenset(),
    Fault.HTTP_204: frozenset(),
    Fault.TRUNCATED_JSON: frozenset(),
    Fault.JSONRPC_ERROR: _JSONRPC_ERROR_OPTIONS,
    Fault.JSONRPC_ERROR_DATA_STRING: _JSONRPC_ERROR_OPTIONS,
    Fault.JSONRPC_ERROR_DATA_LIST: _JSONRPC_ERROR_OPTIONS,
    Fault.JSONRPC_ERROR_NO_DATA: frozenset({"code", "message"}),
    Fault.HTTP_429: _RETRY_AFTER_OPTIONS,
    Fault.WRONG_ID: frozenset({"response_id"}),
    Fault.DELAY: frozenset({"seconds"}),
    Fault.DROP_CONNECTION: frozenset(),
}


def _check_option_value(name: str, value: Any) -> None:
    if name == "retry_after":
        is_seconds = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        if not (is_seconds or isinstance(value, str)):
            raise ValueError("retry_after must be a number of seconds (int >= 0) or a string.")
    elif name == "retry_after_http_date" and not isinstance(value, bool):
        raise ValueError("retry_after_http_date must be a boolean.")
    elif name == "code" and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError("code must be an integer.")
    elif name in ("message", "details") and not isinstance(value, str):
        raise ValueError(f"{name} must be a string.")
    elif name == "response_id" and not (
        value is None or (isinstance(value, (str, int)) and not isinstance(value, bool))
    ):
        raise ValueError("response_id must be a string, an integer or None.")
    elif name == "seconds":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError("seconds must be a number greater than 0.")


def to_fault(fault: Fault | str) -> Fault:
    """Return the Fault for an enum member or its value, raising ValueError for other names."""
    try:
        return Fault(fault)
    except ValueError:
        names = ", ".join(member.value for member in Fault)
        raise ValueError(f"Unknown fault {fault!r}. Known faults: {names}.") from None


@dataclass
class FaultInjection:
    """A fault that the next `remaining` calls matching `method` (None: any call) get."""

    fault: Fault
    remaining: int
    method: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


class FaultQueue:
    """Thread-safe list of pending injections, used in the order they were added."""

    def __init__(self) -> None:
        self._pending: list[FaultInjection] = []
        self._lock = threading.Lock()

    def add(
        self,
        fault: Fault | str,
        count: int = 1,
        method: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> FaultInjection:
        """Validate and queue an injection, raising ValueError for a bad count or option."""
        option_values = dict(options or {})
        member = to_fault(fault)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"count must be an integer of at least 1, got {count!r}.")
        if method is not None and not isinstance(method, str):
            raise ValueError(f"method must be a JSON-RPC method name or None, got {method!r}.")
        unknown = sorted(set(option_values) - FAULT_OPTIONS[member])
        if unknown:
            accepted = ", ".join(sorted(FAULT_OPTIONS[member])) or "none"
            raise ValueError(
                f"Fault {member.value} does not accept option {unknown[0]!r}. Accepted: {accepted}."
            )
        for name, value in option_values.items():
            _check_option_value(name, value)

        injection = FaultInjection(member, count, method, option_values)
        with self._lock:
            self._pending.append(injection)
        return injection

    def take(self, method: str | None) -> FaultInjection | None:
        """Consume one use of the first injection that matches the call's method."""
        with self._lock:
            for injection in self._pending:
                if injection.method is None or injection.method == method:
                    injection.remaining -= 1
                    if injection.remaining == 0:
                        self._pending.remove(injection)
                    return FaultInjection(injection.fault, 1, injection.method, injection.options)
        return None

    def clear(self) -> None:
        """Drop every pending injection."""
        with self._lock:
            self._pending.clear()

    def pending(self) -> list[FaultInjection]:
        """Return copies of the pending injections."""
        with self._lock:
            return [
                FaultInjection(item.fault, item.remaining, item.method, dict(item.options))
                for item in self._pending
            ]
