"""Retry policy: which failed calls may be sent again, and how long to wait first.

Every GravityZone call is a POST, and many create tasks on endpoints. Sending such a call again
after the server may have processed it could isolate a host twice or queue duplicate tasks, so:

- 429 and 503 are retried for every action, because the server did not process the call;
- failures before the request was sent (DNS, refused connection, connect timeout, proxy or TLS
  handshake) are retried for every action;
- read timeouts, dropped connections and other 5xx are retried only for actions that only read;
- nothing else is retried.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .manifest import Action

if TYPE_CHECKING:  # tenacity is imported only when a call is really sent.
    import tenacity

logger = logging.getLogger(__name__)

RETRY_ANY_ACTION_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    """Limits for retrying one call.

    max_attempts: total attempts, the first included; 1 turns retries off. Default 4.
    max_total_wait: seconds of waiting summed over all retries of one call. A retry whose wait
        would pass this cap is not made, and the last failure is returned. Default 60.
    backoff_initial: seconds before the first retry when the server sends no Retry-After;
        doubled on each later retry. Default 1.
    backoff_max: the longest single backoff wait in seconds. Default 20.
    A Retry-After header, in seconds or as an HTTP date, replaces the backoff for that retry.
    """

    max_attempts: int = 4
    max_total_wait: float = 60.0
    backoff_initial: float = 1.0
    backoff_max: float = 20.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.max_total_wait < 0:
            raise ValueError("max_total_wait must not be negative")

    def should_retry_status(self, action: Action, status_code: int) -> bool:
        """Return True when a response with this status may be sent again for ``action``."""
        if status_code in RETRY_ANY_ACTION_STATUSES:
            return True
        return action.only_reads and 500 <= status_code < 600

    def should_retry_error(self, action: Action, may_have_reached_server: bool) -> bool:
        """Return True when a call that got no response may be sent again for ``action``."""
        return not may_have_reached_server or action.only_reads

    def backoff(self, retry_number: int) -> float:
        """Return the wait before retry ``retry_number`` (1 for the first) without Retry-After."""
        return min(self.backoff_max, self.backoff_initial * 2 ** (retry_number - 1))


def parse_retry_after(value: str | None, now: Callable[[], datetime] | None = None) -> float | None:
    """Return the seconds a Retry-After header asks for, from seconds or an HTTP date."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    current = now() if now else datetime.now(timezone.utc)
    return max(0.0, (moment - current).total_seconds())


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """Return a header's value, matching the name case-insensitively."""
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def build_retrying(
    policy: RetryPolicy,
    action: Action,
    request_id: str,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] | None = None,
) -> tenacity.Retrying:
    """Return a tenacity Retrying that applies ``policy`` to calls of ``action``.

    The attempt function returns a requests.Response or raises transport.NoResponse. When
    retries run out, the last response is returned, or the last error raised, unchanged.
    """
    import tenacity

    def is_retryable_result(response: Any) -> bool:
        return policy.should_retry_status(action, response.status_code)

    def is_retryable_error(error: BaseException) -> bool:
        reached = getattr(error, "may_have_reached_server", None)
        return reached is not None and policy.should_retry_error(action, reached)

    def wait_seconds(state: tenacity.RetryCallState) -> float:
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            requested = parse_retry_after(
                header_value(outcome.result().headers, "Retry-After"), now
            )
            if requested is not None:
                return requested
        return policy.backoff(state.attempt_number)

    def stop(state: tenacity.RetryCallState) -> bool:
        if state.attempt_number >= policy.max_attempts:
            return True
        return state.idle_for + (state.upcoming_sleep or 0.0) > policy.max_total_wait

    def log_retry(state: tenacity.RetryCallState) -> None:
        outcome = state.outcome
        if outcome is None:
            return
        if outcome.failed:
            cause = getattr(outcome.exception(), "reason_code", type(outcome.exception()).__name__)
        else:
            cause = f"HTTP {outcome.result().status_code}"
        logger.warning(
            "Retrying %s (JSON-RPC method %s, request id %s) after %s: attempt %d of %d in %.1f s",
            action.name,
            action.jsonrpc_method,
            request_id,
            cause,
            state.attempt_number + 1,
            policy.max_attempts,
            state.upcoming_sleep,
        )

    return tenacity.Retrying(
        retry=tenacity.retry_if_result(is_retryable_result)
        | tenacity.retry_if_exception(is_retryable_error),
        wait=wait_seconds,
        stop=stop,
        sleep=sleep,
        before_sleep=log_retry,
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        reraise=True,
    )
