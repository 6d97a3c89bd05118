"""The Emulator: a local GravityZone Control Center JSON-RPC API served from a background thread."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any

from . import bulk_data
from .api_keys import EMULATED_AREAS, ApiKeyStore, generate_api_key
from .control import ControlHandler
from .dispatch import Dispatcher, StateStore
from .faults import Fault, FaultInjection, FaultQueue
from .processing import RequestProcessor
from .rate_limits import RateLimiter
from .recording import RecordedRequest, RequestLog
from .seed import DEFAULT_COMPANY_ID, build_seed_state
from .server import EmulatorHTTPServer
from .state import COMPUTERS, EXCLUSION_RULE, MD5, EmulatorState
from .tls import TlsMaterial, create_tls_material

logger = logging.getLogger(__name__)

# stop() waits up to one poll interval for the serve loop to notice the shutdown.
SERVE_POLL_SECONDS = 0.01
STOP_JOIN_SECONDS = 5.0


class Emulator:
    """A GravityZone JSON-RPC API on the loopback, with seed data, rate limits and faults.

    `api_keys` maps each accepted key to its API areas (such as incidents, quarantine). By
    default one random key gets every emulated area. `clock` is read only by the rate limiter,
    so tests can pass a fake clock. `rate_limit_scale` multiplies every rate-limit period.
    Use start() and stop(), or a with block.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = False,
        api_keys: Mapping[str, Iterable[str]] | None = None,
        rate_limits: bool = True,
        rate_limit_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._host = host
        self._port = port
        self._use_tls = tls
        if api_keys is not None and not api_keys:
            raise ValueError("api_keys must contain at least one key, or be None for a random key.")
        self._keys = ApiKeyStore(DEFAULT_COMPANY_ID)
        self._keys.add_all(
            api_keys if api_keys is not None else {generate_api_key(): EMULATED_AREAS}
        )
        self._store = StateStore(build_seed_state)
        self._faults = FaultQueue()
        self._limiter = RateLimiter(clock, scale=rate_limit_scale, enabled=rate_limits)
        self._request_log = RequestLog()
        self._release_event = threading.Event()
        self._processor = RequestProcessor(
            self._keys,
            Dispatcher(self._store),
            self._faults,
            self._limiter,
            ControlHandler(self._faults, self.reset_state),
            self._request_log,
        )
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._tls: TlsMaterial | None = None

    # Lifecycle

    def start(self) -> Emulator:
        """Bind the port, serve in a daemon thread and return self."""
        if self._server is not None:
            raise RuntimeError("The emulator is already running.")
        self._release_event.clear()
        self._tls = create_tls_material(self._host) if self._use_tls else None
        ssl_context = self._tls.ssl_context if self._tls is not None else None
        try:
            server = EmulatorHTTPServer(
                (self._host, self._port), self._processor, self._release_event, ssl_context
            )
        except OSError:
            self._remove_tls_material()
            raise

        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": SERVE_POLL_SECONDS},
            name="gravityzone-emulator",
            daemon=True,
        )
        self._thread.start()
        logger.info("GravityZone emulator listening at %s", self.access_url)
        return self

    def stop(self) -> None:
        """Stop serving, drop open connections, end delay faults and delete the CA bundle."""
        server = self._server
        if server is None:
            return
        self._release_event.set()
        server.shutdown()
        server.drop_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(STOP_JOIN_SECONDS)
        self._server = None
        self._thread = None
        self._remove_tls_material()
        logger.info("GravityZone emulator stopped")

    def _remove_tls_material(self) -> None:
        if self._tls is not None:
            self._tls.remove_ca_bundle()
            self._tls = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # Connection details

    @property
    def access_url(self) -> str:
        """The Control Center API access URL, such as http://127.0.0.1:43211/api."""
        if self._server is None:
            raise RuntimeError("The emulator is not running. Call start() first.")
        host, port = self._server.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode()
        if ":" in host:
            host = f"[{host}]"
        scheme = "https" if self._use_tls else "http"
        return f"{scheme}://{host}:{port}/api"

    @property
    def api_key(self) -> str:
        """The default API key: the generated one, or the first key of `api_keys`."""
        return self._keys.first_key()

    @property
    def ca_bundle_path(self) -> str | None:
        """The PEM file of the test CA while serving TLS, else None."""
        return str(self._tls.ca_bundle_path) if self._tls is not None else None

    def add_api_key(self, key: str, areas: Iterable[str] = EMULATED_AREAS) -> None:
        """Accept another key with only the given areas, such as {"incidents"}."""
        self._keys.add(key, areas)

    # Faults and recorded requests

    def inject_fault(
        self, fault: Fault | str, count: int = 1, method: str | None = None, **options: Any
    ) -> None:
        """Make the next `count` calls (of JSON-RPC `method`, or any call) fail with `fault`.

        Options depend on the fault, and fault_responses lists them. Raises ValueError for unknown
        faults and options.
        """
        self._faults.add(fault, count, method, options)

    def clear_faults(self) -> None:
        """Drop every pending fault."""
        self._faults.clear()

    @property
    def pending_faults(self) -> list[FaultInjection]:
        """Copies of the faults not used up yet."""
        return self._faults.pending()

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the requests received so far (control-route calls excluded)."""
        return self._request_log.snapshot()

    def clear_requests(self) -> None:
        """Forget the received requests."""
        self._request_log.clear()

    # State

    @property
    def state(self) -> EmulatorState:
        """The live in-memory state. Read it between calls, not while calls are running."""
        return self._store.state

    def reset_state(self) -> None:
        """Restore the seed data and clear the rate-limit counters."""
        self._store.reset()
        self._limiter.reset()

    def add_blocklist_items(
        self, count: int, hash_type: int = MD5, company_id: str | None = None
    ) -> list[str]:
        """Add `count` blocklist items and return their IDs."""
        with self._store.lock:
            return bulk_data.add_blocklist_items(self.state, count, hash_type, company_id)

    def clear_blocklist(self) -> None:
        """Remove every blocklist item."""
        with self._store.lock:
            self.state.blocklist.clear()

    def add_quarantine_items(
        self, count: int, service: str = COMPUTERS, endpoint_id: str | None = None
    ) -> list[str]:
        """Add `count` items to the computers or exchange quarantine and return their IDs."""
        with self._store.lock:
            return bulk_data.add_quarantine_items(self.state, count, service, endpoint_id)

    def clear_quarantine(self, service: str | None = None) -> None:
        """Empty one quarantine service, or both when `service` is None."""
        with self._store.lock:
            bulk_data.clear_quarantine(self.state, service)

    def add_custom_rules(self, count: int, rule_type: int = EXCLUSION_RULE) -> list[str]:
        """Add `count` custom rules of one type (2 exclusion, 1 detection) and return their IDs."""
        with self._store.lock:
            return bulk_data.add_custom_rules(self.state, count, rule_type)

    def clear_custom_rules(self, rule_type: int | None = None) -> None:
        """Remove the custom rules of one type, or all of them when `rule_type` is None."""
        with self._store.lock:
            bulk_data.clear_custom_rules(self.state, rule_type)
