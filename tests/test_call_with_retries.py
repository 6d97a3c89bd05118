"""call_with_retries behaves exactly as a tenacity Retrying that makes every attempt.

Each scenario runs through build_retrying(...)(attempt) and through call_with_retries, and
the attempts made, the waits, the result or error and the log lines must be the same.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest

from bitdefender_connector.manifest import load_manifest
from bitdefender_connector.retry_policy import RetryPolicy, build_retrying, call_with_retries
from bitdefender_connector.transport import NoResponse

from .test_retry_policy import FakeResponse, ScriptedCalls

TASK_ACTION = load_manifest().action("isolate_host")
CONFIG_ACTION = load_manifest().action("update_block_list")
READ_ACTION = load_manifest().action("get_block_list_items")
REQUEST_ID = "retry-test-request-2"
# Retry-After dates and the clock are fixed, so waits computed from them are exact.
NOW = datetime(2015, 10, 21, 7, 27, 0, tzinfo=timezone.utc)


def refused() -> NoResponse:
    return NoResponse("refused", "connection_refused", may_have_reached_server=False)


def read_timeout() -> NoResponse:
    return NoResponse("no response", "read_timeout", may_have_reached_server=True)


SCENARIOS = [
    ("success", RetryPolicy(), TASK_ACTION, [FakeResponse(200)]),
    ("error status", RetryPolicy(), TASK_ACTION, [FakeResponse(400)]),
    ("500 for a change", RetryPolicy(), TASK_ACTION, [FakeResponse(500), FakeResponse(200)]),
    ("500 for a read", RetryPolicy(), READ_ACTION, [FakeResponse(500), FakeResponse(200)]),
    (
        "429 twice",
        RetryPolicy(),
        CONFIG_ACTION,
        [
            FakeResponse(429, {"Retry-After": "5"}),
            FakeResponse(429, {"Retry-After": "Wed, 21 Oct 2015 07:27:45 GMT"}),
            FakeResponse(200),
        ],
    ),
    ("503 capped", RetryPolicy(max_attempts=3), TASK_ACTION, [FakeResponse(503)]),
    ("one attempt", RetryPolicy(max_attempts=1), READ_ACTION, [FakeResponse(503)]),
    (
        "wait cap",
        RetryPolicy(),
        READ_ACTION,
        [FakeResponse(429, {"Retry-After": "30"}), FakeResponse(200)],
    ),
    ("give up", RetryPolicy(), TASK_ACTION, [FakeResponse(429, {"Retry-After": "3600"})]),
    ("refused then success", RetryPolicy(), TASK_ACTION, [refused(), FakeResponse(200)]),
    ("refused always", RetryPolicy(max_attempts=3), TASK_ACTION, [refused()]),
    ("read timeout for a change", RetryPolicy(), TASK_ACTION, [read_timeout()]),
    ("read timeout for a read", RetryPolicy(), READ_ACTION, [read_timeout(), FakeResponse(200)]),
    ("other exception", RetryPolicy(), READ_ACTION, [ValueError("a bug"), FakeResponse(200)]),
]


def run_scenario(runner, policy, action, outcomes, caplog):
    """Return (attempts, waits, result or raised error, log lines) of one run."""
    calls = ScriptedCalls(*outcomes)
    sleeps: list[float] = []
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="bitdefender_connector.retry_policy"):
        try:
            result = runner(policy, action, calls, sleeps)
        except Exception as error:  # the raised error is part of what is compared
            result = error
    messages = [record.getMessage() for record in caplog.records]
    return calls.count, sleeps, result, messages


def with_tenacity(policy, action, calls, sleeps):
    retrying = build_retrying(policy, action, REQUEST_ID, sleep=sleeps.append, now=lambda: NOW)
    return retrying(calls)


def with_first_attempt_outside(policy, action, calls, sleeps):
    return call_with_retries(
        policy, action, REQUEST_ID, calls, sleep=sleeps.append, now=lambda: NOW
    )


@pytest.mark.parametrize(
    ("name", "policy", "action", "outcomes"), SCENARIOS, ids=[row[0] for row in SCENARIOS]
)
def test_same_outcome_as_tenacity(name, policy, action, outcomes, caplog):
    expected = run_scenario(with_tenacity, policy, action, outcomes, caplog)
    actual = run_scenario(with_first_attempt_outside, policy, action, outcomes, caplog)

    assert actual[0] == expected[0]
    assert actual[1] == expected[1]
    assert actual[2] is expected[2]
    assert actual[3] == expected[3]


def test_first_success_skips_tenacity(monkeypatch):
    def fail_if_called(*arguments, **options):
        raise AssertionError("tenacity was used for a response that is not retried")

    monkeypatch.setattr("bitdefender_connector.retry_policy.build_retrying", fail_if_called)
    response = FakeResponse(200)

    result = call_with_retries(RetryPolicy(), TASK_ACTION, REQUEST_ID, lambda: response)

    assert result is response
