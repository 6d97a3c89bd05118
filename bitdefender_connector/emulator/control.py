"""The emulator's own JSON-RPC control route, for clients that cannot call Python directly.

Methods: `emulator.injectFault` (params `fault`, `count`, `method`, `options`, as
Emulator.inject_fault takes them), `emulator.clearFaults` and `emulator.resetState` (seed data
back, rate-limit counters cleared). Each returns true.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .faults import FaultQueue
from .jsonrpc import (
    InvalidParams,
    JsonRpcError,
    MethodNotFound,
    ParsedBody,
    error_body,
    result_body,
)
from .params import ParamReader

CONTROL_METHODS = ("emulator.injectFault", "emulator.clearFaults", "emulator.resetState")


class ControlHandler:
    """Runs control calls against the fault queue and the state reset."""

    def __init__(self, faults: FaultQueue, reset_state: Callable[[], None]) -> None:
        self._faults = faults
        self._reset_state = reset_state

    def handle(self, parsed: ParsedBody) -> dict[str, Any]:
        """Return the response body of a control call."""
        call = parsed.outcome
        if isinstance(call, JsonRpcError):
            return error_body(parsed.request_id, call)
        try:
            if call.method == "emulator.injectFault":
                self._inject_fault(call.params)
            elif call.method == "emulator.clearFaults":
                ParamReader(call.params, ())
                self._faults.clear()
            elif call.method == "emulator.resetState":
                ParamReader(call.params, ())
                self._reset_state()
            else:
                raise MethodNotFound(f"Control methods are {', '.join(CONTROL_METHODS)}.")
        except JsonRpcError as error:
            return error_body(call.request_id, error)
        return result_body(call.request_id, True)

    def _inject_fault(self, params: dict[str, Any]) -> None:
        reader = ParamReader(params, {"fault", "count", "method", "options"})
        fault = reader.string("fault")
        count = reader.optional_integer("count", default=1, minimum=1)
        method = reader.optional_string("method")
        options = params.get("options", {})
        if not isinstance(options, dict):
            raise InvalidParams("'options' must be an object of fault options.")
        try:
            self._faults.add(fault, count, method, options)
        except ValueError as error:
            raise InvalidParams(str(error)) from None
