"""Dispatch of a parsed JSON-RPC call to its method handler, under the state lock."""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable
from typing import Any

from .api_keys import ApiKey
from .context import CallContext
from .jsonrpc import (
    INTERNAL_ERROR,
    JsonRpcCall,
    JsonRpcError,
    MethodNotFound,
    error_body,
    result_body,
)
from .registry import METHODS
from .routes import Route
from .state import EmulatorState

logger = logging.getLogger(__name__)


class StateStore:
    """The current state, and the lock that serialises every read and change of it."""

    def __init__(self, factory: Callable[[], EmulatorState]) -> None:
        self._factory = factory
        self.lock = threading.RLock()
        self.state = factory()

    def reset(self) -> None:
        """Replace the state with fresh data from the factory."""
        with self.lock:
            self.state = self._factory()


class Dispatcher:
    """Runs calls against the state store and builds their JSON-RPC response bodies."""

    def __init__(self, store: StateStore) -> None:
        self._store = store

    def call(
        self, call: JsonRpcCall, route: Route, api_key: ApiKey, dry_run: bool = False
    ) -> dict[str, Any]:
        """Run the call and return its response body.

        With `dry_run`, the handler runs on a deep copy of the state, so the response is the one
        the call would get but nothing changes.
        """
        spec = METHODS.get(call.method)
        if spec is None:
            return error_body(call.request_id, MethodNotFound())
        if route not in spec.routes:
            paths = " or ".join(allowed.path for allowed in spec.routes)
            details = f"{call.method} is served at {paths}, not at {route.path}."
            return error_body(call.request_id, MethodNotFound(details))

        context = CallContext(api_key, route.quarantine_service)
        with self._store.lock:
            state = copy.deepcopy(self._store.state) if dry_run else self._store.state
            try:
                result = spec.handler(state, call.params, context)
            except JsonRpcError as error:
                return error_body(call.request_id, error)
            except Exception:  # noqa: BLE001 - a handler bug must reach the client, not kill the thread
                logger.exception(
                    "Handler of %s failed (request id %r)", call.method, call.request_id
                )
                internal = JsonRpcError(INTERNAL_ERROR, "Internal error")
                return error_body(call.request_id, internal)
        return result_body(call.request_id, result)
