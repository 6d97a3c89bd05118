"""Emulator rate limits per API key and method class, driven by a fake clock."""

from __future__ import annotations

import pytest

from bitdefender_connector.emulator import Emulator

from .test_emulator_support import COMPUTERS, INCIDENTS, EmulatorClient, FakeClock

SECOND_KEY = "second-key"
HASH_PARAMS = {"hashType": 2, "hashList": ["f696282aa4cd4f614aa995190cf442fe"], "sourceInfo": "x"}


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def emulator(clock):
    emulator = Emulator(clock=clock)
    emulator.add_api_key(SECOND_KEY, {"incidents", "quarantine"})
    with emulator:
        yield emulator


@pytest.fixture
def client(emulator):
    client = EmulatorClient(emulator)
    yield client
    client.close()


def call_times(client, route, method, params, times):
    return [client.call(route, method, params).status_code for _ in range(times)]


def test_mutator_limit_is_5_per_minute(client):
    statuses = call_times(client, INCIDENTS, "addToBlocklist", HASH_PARAMS, 6)

    assert statuses == [200, 200, 200, 200, 200, 429]


def test_429_has_retry_after_in_seconds(client):
    call_times(client, INCIDENTS, "addToBlocklist", HASH_PARAMS, 5)

    response = client.call(INCIDENTS, "addToBlocklist", HASH_PARAMS, request_id="limited")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    assert response.json()["id"] == "limited"
    assert response.json()["error"]["code"] == -32003


def test_retry_after_counts_down_with_clock(client, clock):
    call_times(client, INCIDENTS, "addToBlocklist", HASH_PARAMS, 5)
    clock.advance(59.5)

    response = client.call(INCIDENTS, "addToBlocklist", HASH_PARAMS)

    assert response.headers["Retry-After"] == "1"


def test_window_reopens_after_period(client, clock):
    call_times(client, INCIDENTS, "addToBlocklist", HASH_PARAMS, 5)
    clock.advance(60)

    response = client.call(INCIDENTS, "addToBlocklist", HASH_PARAMS)

    assert response.status_code == 200


def test_window_slides_one_call_at_a_time(client, clock):
    client.call(INCIDENTS, "addToBlocklist", HASH_PARAMS)
    clock.advance(30)
    call_times(client, INCIDENTS, "addToBlocklist", HASH_PARAMS, 4)
    clock.advance(30)

    statuses = call_times(client, INCIDENTS, "addToBlocklist", HASH_PARAMS, 2)

    assert statuses == [200, 429]


def test_rejected_call_does_not_change_state(client, emulator):
    call_times(client, INCIDENTS, "addToBlocklist", HASH_PARAMS, 5)
    emulator.clear_blocklist()

    client.call(INCIDENTS, "addToBlocklist", HASH_PARAMS)

    assert emulator.state.blocklist == {}


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("addToBlocklist", HASH_PARAMS),
        ("removeFromBlocklist", {"hashItemId": "aaaaaaaaaaaaaaaaaaaaaaaa"}),
        ("createCustomRule", {"name": "x"}),
        ("deleteCustomRule", {"ruleId": "aaaaaaaaaaaaaaaaaaaaaaaa"}),
    ],
)
def test_mutators_share_one_limit(client, method, params):
    call_times(client, INCIDENTS, "addToBlocklist", HASH_PARAMS, 4)
    client.call(INCIDENTS, "removeFromBlocklist", {"hashItemId": "aaaaaaaaaaaaaaaaaaaaaaaa"})

    response = client.call(INCIDENTS, method, params)

    assert response.status_code == 429


def test_invalid_params_still_count(client):
    statuses = call_times(client, INCIDENTS, "deleteCustomRule", {"ruleId": "bad"}, 6)

    assert statuses[-1] == 429


def test_mutator_limit_leaves_default_class_free(client):
    call_times(client, INCIDENTS, "addToBlocklist", HASH_PARAMS, 6)

    response = client.call(INCIDENTS, "getBlocklistItems")

    assert response.status_code == 200


def test_limit_is_per_api_key(client, emulator):
    call_times(client, INCIDENTS, "addToBlocklist", HASH_PARAMS, 6)
    other = EmulatorClient(emulator, SECOND_KEY)

    response = other.call(INCIDENTS, "addToBlocklist", HASH_PARAMS)

    assert response.status_code == 200


def test_default_limit_is_10_per_second(client):
    statuses = call_times(client, INCIDENTS, "getBlocklistItems", {}, 11)

    assert statuses == [200] * 10 + [429]


def test_default_limit_retry_after_is_1(client):
    call_times(client, INCIDENTS, "getBlocklistItems", {}, 10)

    response = client.call(INCIDENTS, "getBlocklistItems")

    assert response.headers["Retry-After"] == "1"


def test_default_limit_resets_after_a_second(client, clock):
    call_times(client, INCIDENTS, "getBlocklistItems", {}, 10)
    clock.advance(1)

    response = client.call(INCIDENTS, "getBlocklistItems")

    assert response.status_code == 200


def test_unknown_methods_count_in_default_class(client):
    call_times(client, INCIDENTS, "noSuchMethod", {}, 10)

    response = client.call(INCIDENTS, "getBlocklistItems")

    assert response.status_code == 429


def test_quarantine_task_limit_is_30_per_minute(client):
    params = {"quarantineItemsIds": ["63896b87b7894d0f367b23c6"]}

    statuses = call_times(client, COMPUTERS, "createRemoveQuarantineItemTask", params, 31)

    assert statuses == [200] * 30 + [429]


def test_quarantine_tasks_share_one_limit(client, clock):
    for _ in range(30):
        client.call(COMPUTERS, "createEmptyQuarantineTask")
        clock.advance(0.2)

    response = client.call(COMPUTERS, "createRestoreQuarantineItemTask", {"quarantineItemsIds": []})

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "54"


def test_rate_limits_can_be_turned_off(clock):
    with Emulator(clock=clock, rate_limits=False) as emulator:
        client = EmulatorClient(emulator)

        statuses = call_times(client, INCIDENTS, "addToBlocklist", HASH_PARAMS, 12)

    assert statuses == [200] * 12


def test_scale_multiplies_periods(clock):
    with Emulator(clock=clock, rate_limit_scale=2.0) as emulator:
        client = EmulatorClient(emulator)
        call_times(client, INCIDENTS, "addToBlocklist", HASH_PARAMS, 5)

        response = client.call(INCIDENTS, "addToBlocklist", HASH_PARAMS)

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "120"


def test_small_scale_shortens_wait(clock):
    with Emulator(clock=clock, rate_limit_scale=0.01) as emulator:
        client = EmulatorClient(emulator)
        call_times(client, INCIDENTS, "addToBlocklist", HASH_PARAMS, 5)
        clock.advance(0.6)

        response = client.call(INCIDENTS, "addToBlocklist", HASH_PARAMS)

    assert response.status_code == 200


def test_scale_must_be_positive():
    with pytest.raises(ValueError, match="rate_limit_scale must be greater than 0"):
        Emulator(rate_limit_scale=0)


def test_reset_state_clears_counters(client, emulator):
    call_times(client, INCIDENTS, "addToBlocklist", HASH_PARAMS, 5)

    emulator.reset_state()

    assert client.call(INCIDENTS, "addToBlocklist", HASH_PARAMS).status_code == 200
