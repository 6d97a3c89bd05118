"""Retry policy: which failed calls may be sent again, and how long to wait first.

Every GravityZone call is a POST, and many create tasks on endpoints. Sending such a call again
after the server may have processed it could isolate a host twice or queue duplicate tasks, so:

- 429 and 503 are retried for every action, because the server did not process the call;
- failures before the request was sent (DNS, refused connection, connect timeout, proxy) are
  retried for every action, except a TLS certificate that fails verification, which a retry
  cannot mend;
- read timeouts, dropped connections and other 5xx are retried only for actions that only read;
- nothing else is retried.
"""

from __future__ import annotations

import email.utils
import logging
import math
import re
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
# Retry-After in seconds: ASCII digits only, because str.isdigit() also accepts characters
# such as "²" that float() rejects.
_SECONDS = re.compile(r"^[0-9]+$")


@dataclass(frozen=True)
class RetryPolicy:
    """Limits for retrying one call.

    max_attempts: total attempts, the first included; 1 turns retries off. Default 4.
    max_total_wait: seconds of waiting summed over all retries of one call. A retry whose wait
        would pass this cap is not made, and the last failure is returned. Default 60.
    backoff_initial: seconds before the first retry when the server sends no Retry-After;
        doubled on each later retry. Default 1.
    backoff_max: the maximum single backoff wait in seconds. Default 20.
    A Retry-After header, in seconds or as an HTTP date, replaces the backoff for that retry.
    """

    max_attempts: int = 4
    max_total_wait: float = 60.0
    backoff_initial: float = 1.0
    backoff_max: float = 20.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0 <= self.max_total_wait < math.inf:
            raise ValueError("max_total_wait must be a finite number of seconds, 0 or more")

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
    """Return the wait in seconds that a Retry-After header requests, as seconds or an HTTP date."""
    if value is None:
        return None
    text = value.strip()
    if _SECONDS.match(text):
        return float(text)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        # Each of these has come from malformed dates in some Python version.
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


def is_retryable_response(policy: RetryPolicy, action: Action, response: Any) -> bool:
    """Return True when ``policy`` lets a call of ``action`` with this response be sent again."""
    return policy.should_retry_status(action, response.status_code)


def is_retryable_failure(policy: RetryPolicy, action: Action, error: BaseException) -> bool:
    """Return True when ``policy`` lets a call of ``action`` that raised ``error`` be sent again.

    Only transport.NoResponse errors, which record whether the request may have reached the
    server, are retried, and only when they are transient.
    """
    reached = getattr(error, "may_have_reached_server", None)
    if reached is None or not getattr(error, "transient", True):
        return False
    return policy.should_retry_error(action, reached)


def call_with_retries(
    policy: RetryPolicy,
    action: Action,
    request_id: str,
    attempt: Callable[[], Any],
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] | None = None,
) -> Any:
    """Call ``attempt`` under ``policy`` and return the last response, as build_retrying does.

    The first attempt runs without tenacity, because building and running a Retrying costs
    about 20 µs per call. Only when that outcome may be retried does tenacity take over. It is
    handed the outcome as its own first attempt, so the waits, the stop rule and the log lines
    are the same as when tenacity makes every attempt.
    """
    try:
        first_response = attempt()
    except Exception as error:
        if not is_retryable_failure(policy, action, error):
            raise
        first_error: Exception | None = error
        first_response = None
    else:
        if not is_retryable_response(policy, action, first_response):
            return first_response
        first_error = None

    first_pending = True

    def attempt_after_first() -> Any:
        nonlocal first_pending
        if first_pending:
            first_pending = False
            if first_error is not None:
                raise first_error
            return first_response
        return attempt()

    retrying = build_retrying(policy, action, request_id, sleep=sleep, now=now)
    return retrying(attempt_after_first)


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
        return is_retryable_response(policy, action, response)

    def is_retryable_error(error: BaseException) -> bool:
        return is_retryable_failure(policy, action, error)

    def wait_seconds(state: tenacity.RetryCallState) -> float:
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            requested = parse_retry_after(
                header_value(outcome.result().headers, "Retry-After"), now
            )
            # A zero wait, or a date already past (clock skew), falls back to the backoff so
            # that retries are never sent back to back.
            if requested is not None and requested > 0:
                return requested
        return policy.backoff(state.attempt_number)

    def stop(state: tenacity.RetryCallState) -> bool:
        if state.attempt_number >= policy.max_attempts:
            return True
        return state.idle_for + (state.upcoming_sleep or 0.0) > policy.max_total_wait

    def log_retry(state: tenacity.RetryCallState) -> None:
        if state.outcome is None:
            return
        logger.warning(
            "Retrying %s (JSON-RPC method %s, request id %s) after %s: attempt %d of %d in %.1f s",
            action.name,
            action.jsonrpc_method,
            request_id,
            _describe_cause(state.outcome),
            state.attempt_number + 1,
            policy.max_attempts,
            state.upcoming_sleep,
        )

    def give_up(state: tenacity.RetryCallState) -> Any:
        """Log why a retryable failure is not retried, then return or raise it unchanged.

        Nothing is logged when max_attempts is 1, because then the caller turned retries off.
        """
        if state.outcome is None:
            return None
        if policy.max_attempts == 1:
            return state.outcome.result()
        if state.attempt_number >= policy.max_attempts:
            reason = f"all {policy.max_attempts} attempts are used (max_attempts)"
        else:
            reason = (
                f"waiting {state.upcoming_sleep:.1f} s more would pass max_retry_wait "
                f"({policy.max_total_wait:g} s)"
            )
        logger.warning(
            "Not retrying %s (JSON-RPC method %s, request id %s) after %s: %s",
            action.name,
            action.jsonrpc_method,
            request_id,
            _describe_cause(state.outcome),
            reason,
        )
        return state.outcome.result()

    return tenacity.Retrying(
        retry=tenacity.retry_if_result(is_retryable_result)
        | tenacity.retry_if_exception(is_retryable_error),
        wait=wait_seconds,
        stop=stop,
        sleep=sleep,
        before_sleep=log_retry,
        retry_error_callback=give_up,
        reraise=True,
    )


def _describe_cause(outcome: Any) -> str:
    """Return ``HTTP <status>`` for a response, or the reason code of a failure without one."""
    if outcome.failed:
        error = outcome.exception()
        return str(getattr(error, "reason_code", type(error).__name__))
    return f"HTTP {outcome.result().status_code}"
