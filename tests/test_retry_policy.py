"""Retry policy: which statuses and failures are retried per action kind, waits and limits."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest

from bitdefender_connector.cli import UsageError, build_parser, connector_from_args
from bitdefender_connector.manifest import load_manifest
from bitdefender_connector.retry_policy import RetryPolicy, build_retrying, parse_retry_after
from bitdefender_connector.transport import NoResponse

MANIFEST = load_manifest()
TASK_ACTION = MANIFEST.action("isolate_host")
CONFIG_ACTION = MANIFEST.action("update_block_list")
READ_ACTION = MANIFEST.action("get_block_list_items")
REQUEST_ID = "retry-test-request-1"

# Retry-After dates and the clock are fixed, so waits computed from them are exact.
NOW = datetime(2015, 10, 21, 7, 27, 0, tzinfo=timezone.utc)


@dataclass
class FakeResponse:
    """The two attributes of a requests.Response that the retry policy reads."""

    status_code: int
    headers: dict[str, str] = field(default_factory=dict)


class ScriptedCalls:
    """An attempt function that returns or raises the next scripted outcome on each call."""

    def __init__(self, *outcomes: object) -> None:
        self.outcomes = list(outcomes)
        self.count = 0

    def __call__(self) -> object:
        outcome = self.outcomes[min(self.count, len(self.outcomes) - 1)]
        self.count += 1
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def run_with_policy(policy, action, calls, sleeps):
    retrying = build_retrying(policy, action, REQUEST_ID, sleep=sleeps.append, now=lambda: NOW)
    return retrying(calls)


def refused_error() -> NoResponse:
    return NoResponse("refused", "connection_refused", may_have_reached_server=False)


def read_timeout_error() -> NoResponse:
    return NoResponse("no answer", "read_timeout", may_have_reached_server=True)


# Which statuses are retried


@pytest.mark.parametrize("action", [TASK_ACTION, CONFIG_ACTION, READ_ACTION])
@pytest.mark.parametrize("status", [429, 503])
def test_not_processed_status_retried(action, status):
    assert RetryPolicy().should_retry_status(action, status) is True


@pytest.mark.parametrize("action", [TASK_ACTION, CONFIG_ACTION])
@pytest.mark.parametrize("status", [500, 502, 504])
def test_server_error_not_retried_for_change(action, status):
    assert RetryPolicy().should_retry_status(action, status) is False


@pytest.mark.parametrize("status", [500, 502, 504])
def test_server_error_retried_for_read(status):
    assert RetryPolicy().should_retry_status(READ_ACTION, status) is True


@pytest.mark.parametrize("action", [TASK_ACTION, CONFIG_ACTION, READ_ACTION])
@pytest.mark.parametrize("status", [200, 204, 302, 400, 401, 403, 404, 405, 415])
def test_other_status_not_retried(action, status):
    assert RetryPolicy().should_retry_status(action, status) is False


@pytest.mark.parametrize("action", [TASK_ACTION, CONFIG_ACTION, READ_ACTION])
def test_failure_before_sending_retried(action):
    assert RetryPolicy().should_retry_error(action, may_have_reached_server=False) is True


@pytest.mark.parametrize("action", [TASK_ACTION, CONFIG_ACTION])
def test_failure_after_sending_not_retried(action):
    assert RetryPolicy().should_retry_error(action, may_have_reached_server=True) is False


def test_failure_after_sending_retried_for_read():
    assert RetryPolicy().should_retry_error(READ_ACTION, may_have_reached_server=True) is True


def test_action_kinds_in_manifest():
    kinds = {name: action.kind for name, action in MANIFEST.actions.items()}

    # From the API reference: the list methods only read, the create*Task methods create
    # tasks, and the blocklist and custom rule mutators change configuration.
    assert kinds == {
        "add_file_to_quarantine": "task",
        "create_empty_quarantine": "task",
        "create_restore_endpoint_from_isolation_task": "task",
        "create_rule": "config",
        "delete_rule": "config",
        "get_block_list_items": "read",
        "get_quarantine_items": "read",
        "get_rules": "read",
        "isolate_host": "task",
        "quarantine_file": "task",
        "remove_from_block_list": "config",
        "remove_quarantine_items": "task",
        "restore_quarantine_exchange_item": "task",
        "restore_quarantine_item": "task",
        "update_block_list": "config",
    }


# Policy values


@pytest.mark.parametrize(
    ("retry_number", "expected"), [(1, 1.0), (2, 2.0), (3, 4.0), (5, 16.0), (6, 20.0), (9, 20.0)]
)
def test_backoff_doubles_to_cap(retry_number, expected):
    assert RetryPolicy().backoff(retry_number) == expected


def test_policy_defaults():
    policy = RetryPolicy()

    assert policy.max_attempts == 4
    assert policy.max_total_wait == 60.0


def test_manifest_retry_defaults():
    assert MANIFEST.max_attempts == 4
    assert MANIFEST.max_retry_wait == 60.0


@pytest.mark.parametrize("attempts", [0, -1])
def test_attempts_below_one_rejected(attempts):
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=attempts)


def test_negative_wait_rejected():
    with pytest.raises(ValueError, match="max_total_wait"):
        RetryPolicy(max_total_wait=-1)


# Retry-After


@pytest.mark.parametrize(("value", "expected"), [("30", 30.0), (" 7 ", 7.0), ("0", 0.0)])
def test_retry_after_seconds(value, expected):
    assert parse_retry_after(value) == expected


def test_retry_after_http_date():
    # NOW is 07:27:00 GMT on the same day, one minute earlier.
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=lambda: NOW) == 60.0


def test_retry_after_date_without_zone():
    assert parse_retry_after("Wed, 21 Oct 2015 07:27:30", now=lambda: NOW) == 30.0


def test_retry_after_past_date_is_zero():
    assert parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now=lambda: NOW) == 0.0


@pytest.mark.parametrize(
    "value",
    [None, "", "-1", "1.5", "soon", "²", "60, 60", "Wed, 32 Oct 2015 07:28:00 GMT", "1 2 3 4 5"],
)
def test_retry_after_unreadable(value):
    assert parse_retry_after(value, now=lambda: NOW) is None


# Retrying calls


def test_429_retried_then_success():
    calls = ScriptedCalls(
        FakeResponse(429, {"Retry-After": "5"}),
        FakeResponse(429, {"Retry-After": "5"}),
        FakeResponse(200),
    )
    sleeps = []

    response = run_with_policy(RetryPolicy(), TASK_ACTION, calls, sleeps)

    assert response.status_code == 200
    assert calls.count == 3
    assert sleeps == [5.0, 5.0]


def test_retry_after_header_any_case():
    calls = ScriptedCalls(FakeResponse(429, {"retry-after": "9"}), FakeResponse(200))
    sleeps = []

    run_with_policy(RetryPolicy(), TASK_ACTION, calls, sleeps)

    assert sleeps == [9.0]


def test_retry_after_date_waits():
    calls = ScriptedCalls(
        FakeResponse(429, {"Retry-After": "Wed, 21 Oct 2015 07:27:45 GMT"}), FakeResponse(200)
    )
    sleeps = []

    run_with_policy(RetryPolicy(), CONFIG_ACTION, calls, sleeps)

    assert sleeps == [45.0]


def test_503_without_header_backs_off():
    calls = ScriptedCalls(FakeResponse(503), FakeResponse(503), FakeResponse(200))
    sleeps = []

    response = run_with_policy(RetryPolicy(), TASK_ACTION, calls, sleeps)

    assert response.status_code == 200
    assert sleeps == [1.0, 2.0]


def test_attempts_capped():
    calls = ScriptedCalls(FakeResponse(429, {"Retry-After": "1"}))
    sleeps = []

    response = run_with_policy(RetryPolicy(max_attempts=3), TASK_ACTION, calls, sleeps)

    assert response.status_code == 429
    assert calls.count == 3
    assert sleeps == [1.0, 1.0]


def test_one_attempt_never_retries():
    calls = ScriptedCalls(FakeResponse(503), FakeResponse(200))
    sleeps = []

    response = run_with_policy(RetryPolicy(max_attempts=1), READ_ACTION, calls, sleeps)

    assert response.status_code == 503
    assert calls.count == 1
    assert sleeps == []


def test_total_wait_capped():
    # The first wait of 30 s fits in 45 s; a second would make 60 s.
    calls = ScriptedCalls(FakeResponse(429, {"Retry-After": "30"}))
    sleeps = []

    response = run_with_policy(RetryPolicy(max_total_wait=45), TASK_ACTION, calls, sleeps)

    assert response.status_code == 429
    assert calls.count == 2
    assert sleeps == [30.0]


def test_wait_above_cap_not_made():
    calls = ScriptedCalls(FakeResponse(429, {"Retry-After": "3600"}), FakeResponse(200))
    sleeps = []

    response = run_with_policy(RetryPolicy(), TASK_ACTION, calls, sleeps)

    assert response.status_code == 429
    assert calls.count == 1
    assert sleeps == []


def test_wait_equal_to_cap_made():
    calls = ScriptedCalls(FakeResponse(429, {"Retry-After": "60"}), FakeResponse(200))
    sleeps = []

    response = run_with_policy(RetryPolicy(), TASK_ACTION, calls, sleeps)

    assert response.status_code == 200
    assert sleeps == [60.0]


@pytest.mark.parametrize("action", [TASK_ACTION, CONFIG_ACTION])
def test_500_sent_once_for_change(action):
    calls = ScriptedCalls(FakeResponse(500), FakeResponse(200))
    sleeps = []

    response = run_with_policy(RetryPolicy(), action, calls, sleeps)

    assert response.status_code == 500
    assert calls.count == 1
    assert sleeps == []


def test_500_retried_for_read():
    calls = ScriptedCalls(FakeResponse(500), FakeResponse(502), FakeResponse(200))
    sleeps = []

    response = run_with_policy(RetryPolicy(), READ_ACTION, calls, sleeps)

    assert response.status_code == 200
    assert calls.count == 3
    assert sleeps == [1.0, 2.0]


@pytest.mark.parametrize("action", [TASK_ACTION, CONFIG_ACTION, READ_ACTION])
def test_refused_retried_for_every_action(action):
    calls = ScriptedCalls(refused_error(), refused_error(), FakeResponse(200))
    sleeps = []

    response = run_with_policy(RetryPolicy(), action, calls, sleeps)

    assert response.status_code == 200
    assert calls.count == 3


@pytest.mark.parametrize("action", [TASK_ACTION, CONFIG_ACTION])
def test_read_timeout_sent_once_for_change(action):
    calls = ScriptedCalls(read_timeout_error(), FakeResponse(200))
    sleeps = []

    with pytest.raises(NoResponse) as caught:
        run_with_policy(RetryPolicy(), action, calls, sleeps)

    assert caught.value.reason_code == "read_timeout"
    assert calls.count == 1
    assert sleeps == []


def test_read_timeout_retried_for_read():
    calls = ScriptedCalls(read_timeout_error(), FakeResponse(200))
    sleeps = []

    response = run_with_policy(RetryPolicy(), READ_ACTION, calls, sleeps)

    assert response.status_code == 200
    assert calls.count == 2


def test_last_error_raised_unchanged():
    last = refused_error()
    calls = ScriptedCalls(refused_error(), refused_error(), last)
    sleeps = []

    with pytest.raises(NoResponse) as caught:
        run_with_policy(RetryPolicy(max_attempts=3), TASK_ACTION, calls, sleeps)

    assert caught.value is last
    assert sleeps == [1.0, 2.0]


def test_other_exception_not_retried():
    calls = ScriptedCalls(ValueError("a bug"), FakeResponse(200))
    sleeps = []

    with pytest.raises(ValueError, match="a bug"):
        run_with_policy(RetryPolicy(), READ_ACTION, calls, sleeps)

    assert calls.count == 1


# Logging


def test_retry_logged_with_ids(caplog):
    calls = ScriptedCalls(FakeResponse(429, {"Retry-After": "5"}), FakeResponse(200))

    with caplog.at_level(logging.WARNING, logger="bitdefender_connector.retry_policy"):
        run_with_policy(RetryPolicy(), CONFIG_ACTION, calls, [])

    messages = [record.getMessage() for record in caplog.records]
    assert messages == [
        "Retrying update_block_list (JSON-RPC method addToBlocklist, request id "
        "retry-test-request-1) after HTTP 429: attempt 2 of 4 in 5.0 s"
    ]


def test_retry_of_error_logs_reason(caplog):
    calls = ScriptedCalls(refused_error(), FakeResponse(200))

    with caplog.at_level(logging.WARNING, logger="bitdefender_connector.retry_policy"):
        run_with_policy(RetryPolicy(), TASK_ACTION, calls, [])

    message = caplog.records[0].getMessage()
    assert "isolate_host" in message
    assert "createIsolateEndpointTask" in message
    assert "retry-test-request-1" in message
    assert "after connection_refused" in message
    assert "attempt 2 of 4 in 1.0 s" in message


def test_give_up_logged(caplog):
    calls = ScriptedCalls(FakeResponse(429, {"Retry-After": "3600"}))

    with caplog.at_level(logging.WARNING, logger="bitdefender_connector.retry_policy"):
        run_with_policy(RetryPolicy(), TASK_ACTION, calls, [])

    message = caplog.records[-1].getMessage()
    assert message.startswith("Not retrying isolate_host")
    assert "retry-test-request-1" in message
    assert "max_retry_wait (60 s)" in message


def test_no_give_up_log_when_off(caplog):
    calls = ScriptedCalls(FakeResponse(503))

    with caplog.at_level(logging.WARNING, logger="bitdefender_connector.retry_policy"):
        run_with_policy(RetryPolicy(max_attempts=1), TASK_ACTION, calls, [])

    assert caplog.records == []


def test_no_log_without_retry(caplog):
    calls = ScriptedCalls(FakeResponse(500))

    with caplog.at_level(logging.WARNING, logger="bitdefender_connector.retry_policy"):
        run_with_policy(RetryPolicy(), TASK_ACTION, calls, [])

    assert caplog.records == []


# Command-line options


def parse_run_options(*options):
    return build_parser().parse_args(["run", "isolate_host", "--example", *options])


@pytest.fixture
def no_connection_environment(monkeypatch):
    for name in ("BITDEFENDER_URL", "BITDEFENDER_API_KEY", "BITDEFENDER_HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_cli_options_set_policy(no_connection_environment):
    args = parse_run_options("--max-attempts", "2", "--max-retry-wait", "7.5")

    connector = connector_from_args(args, MANIFEST)

    assert connector.retry_policy.max_attempts == 2
    assert connector.retry_policy.max_total_wait == 7.5


def test_cli_defaults_from_manifest(no_connection_environment):
    connector = connector_from_args(parse_run_options(), MANIFEST)

    assert connector.retry_policy.max_attempts == 4
    assert connector.retry_policy.max_total_wait == 60.0


@pytest.mark.parametrize(
    ("options", "expected_text"),
    [
        (("--max-attempts", "0"), "--max-attempts must be at least 1"),
        (
            ("--max-retry-wait", "-1"),
            "--max-retry-wait must be a finite number of seconds, 0 or more",
        ),
    ],
)
def test_cli_bad_option_rejected(options, expected_text, no_connection_environment):
    with pytest.raises(UsageError) as caught:
        connector_from_args(parse_run_options(*options), MANIFEST)

    assert str(caught.value) == expected_text
    assert caught.value.exit_code == 2


def test_retry_after_zero_uses_backoff():
    calls = ScriptedCalls(FakeResponse(429, {"Retry-After": "0"}), FakeResponse(200))
    sleeps = []

    run_with_policy(RetryPolicy(backoff_initial=1.0), TASK_ACTION, calls, sleeps)

    assert sleeps == [1.0]
