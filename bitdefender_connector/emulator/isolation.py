"""Incidents methods that isolate an endpoint and restore it from isolation (v1.0 shapes)."""

from __future__ import annotations

from typing import Any

from .context import CallContext
from .lookups import find_endpoint
from .params import ParamReader
from .state import EmulatorState


def _set_isolation(state: EmulatorState, params: dict[str, Any], isolated: bool) -> bool:
    reader = ParamReader(params, {"endpointId"})
    endpoint_id = reader.object_id("endpointId")
    endpoint = find_endpoint(state, endpoint_id, "endpointId")
    endpoint.isolated = isolated
    return True


def create_isolate_endpoint_task(
    state: EmulatorState, params: dict[str, Any], context: CallContext
) -> bool:
    """Isolate the endpoint. Isolating an isolated endpoint succeeds and changes nothing."""
    return _set_isolation(state, params, isolated=True)


def create_restore_endpoint_from_isolation_task(
    state: EmulatorState, params: dict[str, Any], context: CallContext
) -> bool:
    """Restore the endpoint from isolation. Restoring a connected endpoint succeeds too."""
    return _set_isolation(state, params, isolated=False)
