"""Server-side rate limits per API key and method class, as Bitdefender publishes them."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

DEFAULT_CLASS = "default"
QUARANTINE_TASK = "quarantine_task"
BLOCKLIST_RULE_MUTATOR = "blocklist_rule_mutator"


@dataclass(frozen=True)
class RateLimit:
    """At most `requests` calls in any window of `period_seconds`."""

    requests: int
    period_seconds: float


# Per API key: 10 calls a second for most methods, 30 a minute for quarantine tasks, and 5 a
# minute for the blocklist and custom-rule mutators (Bitdefender "API rate limits" page).
PUBLISHED_LIMITS: Mapping[str, RateLimit] = {
    DEFAULT_CLASS: RateLimit(10, 1.0),
    QUARANTINE_TASK: RateLimit(30, 60.0),
    BLOCKLIST_RULE_MUTATOR: RateLimit(5, 60.0),
}


def retry_after_header(wait_seconds: float) -> str:
    """Return a Retry-After value: the wait rounded up to whole seconds, at least 1."""
    return str(max(1, math.ceil(wait_seconds)))


class RateLimiter:
    """Sliding-window limiter keyed by (API key, class), reading time from an injected clock.

    NOTE: GravityZone queues up to 10 excess calls (the burst) for the 10/s and 30/min classes
    before it returns 429. The emulator queues nothing and rejects the first call over the limit,
    so it is stricter than the real server.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        limits: Mapping[str, RateLimit] = PUBLISHED_LIMITS,
        scale: float = 1.0,
        enabled: bool = True,
    ) -> None:
        if scale <= 0:
            raise ValueError(f"rate_limit_scale must be greater than 0, got {scale}.")
        self._clock = clock
        self._limits = dict(limits)
        self._scale = scale
        self.enabled = enabled
        self._calls: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, api_key: str, rate_class: str) -> float | None:
        """Count a call and return None, or return the seconds to wait without counting it.

        Each period is multiplied by the scale, so a scale of 2 halves every rate.
        """
        if not self.enabled:
            return None
        limit = self._limits[rate_class]
        period = limit.period_seconds * self._scale
        now = self._clock()

        with self._lock:
            calls = self._calls.setdefault((api_key, rate_class), deque())
            while calls and calls[0] <= now - period:
                calls.popleft()
            if len(calls) < limit.requests:
                calls.append(now)
                return None
            return calls[0] + period - now

    def reset(self) -> None:
        """Forget every counted call."""
        with self._lock:
            self._calls.clear()
