"""Client-side rate limiter: per-key limits from the manifest, driven by a fake clock."""

from __future__ import annotations

import logging
import threading

import pytest

from bitdefender_connector import ActionFailedError, Connector
from bitdefender_connector.cli import build_parser, connector_from_args
from bitdefender_connector.manifest import RateLimitClass, load_manifest
from bitdefender_connector.rate_limiter import RateLimiter, shared_rate_limiter
from bitdefender_connector.retry_policy import RetryPolicy

from .conftest import TEST_API_KEY
from .test_spec_examples import restored_example

MANIFEST = load_manifest()
OTHER_API_KEY = "second-key-6b1d0e2f9a8c7b6d5e4f"


class FakeTime:
    """A monotonic clock that moves only when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 5000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def limiter(fake_time):
    return RateLimiter(MANIFEST.rate_limit_classes, clock=fake_time.clock, sleep=fake_time.sleep)


def acquire_times(limiter, action_id, count, api_key=TEST_API_KEY):
    """Acquire ``count`` times and return the seconds each call waited."""
    action = MANIFEST.action(action_id)
    return [limiter.acquire(action, api_key, f"request-{index}") for index in range(count)]


# Limits declared in the manifest


def test_manifest_declares_three_classes():
    # Bitdefender's API rate limits page: 10 requests per second per key by default, 30 per
    # minute for quarantine tasks, 5 per minute without burst for blocklist and rule changes.
    assert MANIFEST.rate_limit_classes == {
        "default": RateLimitClass("default", 10, 1.0, 10),
        "quarantine_task": RateLimitClass("quarantine_task", 30, 60.0, 10),
        "blocklist_rule_mutator": RateLimitClass("blocklist_rule_mutator", 5, 60.0, 0),
    }


def test_actions_name_their_class():
    classes = {name: action.rate_limit_class for name, action in MANIFEST.actions.items()}

    assert classes == {
        "add_file_to_quarantine": "quarantine_task",
        "create_empty_quarantine": "quarantine_task",
        "create_restore_endpoint_from_isolation_task": "default",
        "create_rule": "blocklist_rule_mutator",
        "delete_rule": "blocklist_rule_mutator",
        "get_block_list_items": "default",
        "get_quarantine_items": "default",
        "get_rules": "default",
        "isolate_host": "default",
        "quarantine_file": "quarantine_task",
        "remove_from_block_list": "blocklist_rule_mutator",
        "remove_quarantine_items": "quarantine_task",
        "restore_quarantine_exchange_item": "quarantine_task",
        "restore_quarantine_item": "quarantine_task",
        "update_block_list": "blocklist_rule_mutator",
    }


# Waiting


def test_default_class_ten_per_second(limiter, fake_time):
    waits = acquire_times(limiter, "isolate_host", 11)

    assert waits[:10] == [0.0] * 10
    assert waits[10] == 1.0
    assert fake_time.sleeps == [1.0]


def test_quarantine_tasks_thirty_per_minute(limiter, fake_time):
    waits = acquire_times(limiter, "remove_quarantine_items", 31)

    assert waits[:30] == [0.0] * 30
    assert waits[30] == 60.0


def test_mutators_five_per_minute(limiter, fake_time):
    waits = acquire_times(limiter, "update_block_list", 6)

    assert waits[:5] == [0.0] * 5
    assert waits[5] == 60.0


def test_mutators_share_one_window(limiter):
    # addToBlocklist, removeFromBlocklist, createCustomRule and deleteCustomRule count together.
    acquire_times(limiter, "update_block_list", 2)
    acquire_times(limiter, "remove_from_block_list", 1)
    acquire_times(limiter, "create_rule", 1)
    acquire_times(limiter, "delete_rule", 1)

    assert acquire_times(limiter, "update_block_list", 1) == [60.0]


def test_window_slides(limiter, fake_time):
    for _ in range(5):
        acquire_times(limiter, "delete_rule", 1)
        fake_time.now += 10

    # The first call was 50 s ago, so the sixth waits until it is 60 s old.
    assert acquire_times(limiter, "delete_rule", 1) == [10.0]


def test_window_empties_after_period(limiter, fake_time):
    acquire_times(limiter, "delete_rule", 5)
    fake_time.now += 60

    assert acquire_times(limiter, "delete_rule", 5) == [0.0] * 5


def test_classes_counted_apart(limiter):
    acquire_times(limiter, "update_block_list", 5)

    assert acquire_times(limiter, "isolate_host", 10) == [0.0] * 10
    assert acquire_times(limiter, "restore_quarantine_item", 30) == [0.0] * 30


def test_api_keys_counted_apart(limiter):
    acquire_times(limiter, "update_block_list", 5)

    assert acquire_times(limiter, "update_block_list", 5, api_key=OTHER_API_KEY) == [0.0] * 5


def test_threads_share_window(limiter):
    action = MANIFEST.action("isolate_host")
    waits: list[float] = []
    lock = threading.Lock()

    def take_one(index: int) -> None:
        waited = limiter.acquire(action, TEST_API_KEY, f"thread-{index}")
        with lock:
            waits.append(waited)

    threads = [threading.Thread(target=take_one, args=(index,)) for index in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert waits == [0.0] * 10
    assert acquire_times(limiter, "isolate_host", 1) == [1.0]


def test_wait_logged(limiter, caplog):
    acquire_times(limiter, "delete_rule", 5)

    with caplog.at_level(logging.INFO, logger="bitdefender_connector.rate_limiter"):
        limiter.acquire(MANIFEST.action("delete_rule"), TEST_API_KEY, "request-six")

    messages = [record.getMessage() for record in caplog.records]
    assert messages == [
        "Rate limit blocklist_rule_mutator (5 per 60 s): delete_rule (JSON-RPC method "
        "deleteCustomRule, request id request-six) waits 60.00 s"
    ]


def test_wait_log_hides_key(limiter, caplog):
    with caplog.at_level(logging.DEBUG, logger="bitdefender_connector"):
        acquire_times(limiter, "update_block_list", 6)

    assert TEST_API_KEY not in caplog.text


def test_shared_limiter_per_classes():
    first = shared_rate_limiter(MANIFEST.rate_limit_classes)
    second = shared_rate_limiter(dict(MANIFEST.rate_limit_classes))

    assert first is second


# The limiter inside the Connector


def run_block_list_updates(connection, count, **options):
    with Connector(connection, retry_policy=RetryPolicy(max_attempts=1), **options) as connector:
        for _ in range(count):
            connector.run("update_block_list", restored_example("update_block_list"))


def test_connector_paces_calls(recording_server, server_connection, fake_time):
    limiter = RateLimiter(MANIFEST.rate_limit_classes, clock=fake_time.clock, sleep=fake_time.sleep)

    run_block_list_updates(server_connection, 6, rate_limiter=limiter)

    assert fake_time.sleeps == [60.0]
    assert len(recording_server.requests) == 6


def test_connector_limiter_off(recording_server, server_connection, fake_time):
    limiter = RateLimiter(MANIFEST.rate_limit_classes, clock=fake_time.clock, sleep=fake_time.sleep)

    run_block_list_updates(server_connection, 6, rate_limiting=False, rate_limiter=limiter)

    assert fake_time.sleeps == []
    assert len(recording_server.requests) == 6


def test_retry_acquires_again(recording_server, server_connection, fake_time):
    # Each attempt is a request that counts against the limit, retries included.
    recording_server.respond(status=503, body=b"", headers={"Retry-After": "0"})
    limiter = RateLimiter(MANIFEST.rate_limit_classes, clock=fake_time.clock, sleep=fake_time.sleep)
    retry_sleeps = []
    connector = Connector(
        server_connection,
        retry_policy=RetryPolicy(max_attempts=6),
        rate_limiter=limiter,
        sleep=retry_sleeps.append,
    )

    with connector, pytest.raises(ActionFailedError):
        connector.run("update_block_list", restored_example("update_block_list"))

    assert len(recording_server.requests) == 6
    assert fake_time.sleeps == [60.0]
    assert retry_sleeps == [1.0, 2.0, 4.0, 8.0, 16.0]


@pytest.mark.parametrize(("options", "expected_calls"), [((), 1), (("--no-rate-limit",), 0)])
def test_cli_no_rate_limit(options, expected_calls, monkeypatch, recording_server):
    acquired: list[str] = []
    monkeypatch.setattr(
        RateLimiter, "acquire", lambda self, action, key, request_id: acquired.append(request_id)
    )
    monkeypatch.setenv("BITDEFENDER_URL", recording_server.url)
    monkeypatch.setenv("BITDEFENDER_API_KEY", TEST_API_KEY)
    args = build_parser().parse_args(["run", "isolate_host", "--example", *options])

    with connector_from_args(args, MANIFEST) as connector:
        connector.run("isolate_host", restored_example("isolate_host"))

    assert len(acquired) == expected_calls
    assert len(recording_server.requests) == 1
