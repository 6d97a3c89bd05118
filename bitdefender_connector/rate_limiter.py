"""Client-side rate limiter: keeps one process within GravityZone's per-API-key limits.

The limits come from ``rate_limit_classes`` in connector.yaml; each action names its class.
Calls that would go over a limit wait until the oldest call in the window expires.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping

from .manifest import Action, RateLimitClass

logger = logging.getLogger(__name__)


class RateLimiter:
    """A sliding-window limiter per (API key, rate-limit class), safe to share between threads.

    It is hand-written because pyrate-limiter's buckets run background leak threads and read
    their own clock. This class takes ``clock`` and ``sleep``, so tests can check waits
    without real time passing.
    """

    def __init__(
        self,
        classes: Mapping[str, RateLimitClass],
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.classes = dict(classes)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], collections.deque[float]] = {}

    def acquire(self, action: Action, api_key: str, request_id: str) -> float:
        """Block until ``action`` may be sent with ``api_key``; return the seconds waited."""
        limit = self.classes[action.rate_limit_class]
        # The key is hashed so that the limiter's state never contains the secret itself.
        window_key = (hashlib.sha256(api_key.encode()).hexdigest(), limit.name)
        waited = 0.0
        while True:
            wait = self._try_take(window_key, limit)
            if wait <= 0:
                return waited
            # Waits of the per-minute classes can last up to a minute, so they are logged where
            # an operator sees them without -v.
            level = logging.WARNING if wait >= 1.0 else logging.INFO
            logger.log(
                level,
                "Rate limit %s (%d per %g s): %s (JSON-RPC method %s, request id %s) waits %.2f s",
                limit.name,
                limit.requests,
                limit.period_seconds,
                action.name,
                action.jsonrpc_method,
                request_id,
                wait,
            )
            self._sleep(wait)
            waited += wait

    def _try_take(self, window_key: tuple[str, str], limit: RateLimitClass) -> float:
        """Record a call and return 0, or return the seconds to wait before trying again."""
        with self._lock:
            now = self._clock()
            window = self._windows.setdefault(window_key, collections.deque())
            while window and window[0] <= now - limit.period_seconds:
                window.popleft()
            if len(window) < limit.requests:
                window.append(now)
                return 0.0
            return window[0] + limit.period_seconds - now


_shared_limiters: dict[tuple[tuple[str, int, float], ...], RateLimiter] = {}
_shared_lock = threading.Lock()


def shared_rate_limiter(classes: Mapping[str, RateLimitClass]) -> RateLimiter:
    """Return the process-wide limiter for these classes, so Connectors with one key share it."""
    key = tuple(sorted((c.name, c.requests, c.period_seconds) for c in classes.values()))
    with _shared_lock:
        limiter = _shared_limiters.get(key)
        if limiter is None:
            limiter = _shared_limiters[key] = RateLimiter(classes)
        return limiter
