"""Replay of the recorded cassettes: every action and the error cases, with no socket opened."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

from bitdefender_connector import ActionFailedError, Connector
from bitdefender_connector.manifest import load_manifest

from .cassette_support import (
    CASSETTE_DIR,
    RECORDING_API_KEY,
    RECORDING_EXCHANGE_PASSWORD,
    make_vcr,
)
from .record_cassettes import ERROR_CASES, KEY_WITHOUT_QUARANTINE

# Replays never reach this address: record_mode "none" makes vcrpy raise on any request that
# has no recorded match. It is a loopback discard port, so nothing leaves the machine anyway.
REPLAY_SETTINGS = {"url": "http://127.0.0.1:9/api", "username": "replay-key"}

ACTION_IDS = sorted(load_manifest().actions)

# Expected results, written from the Swimlane connector spec's examples and the emulator's
# documented seed data.
EXPECTED_TRUE = {
    "add_file_to_quarantine",
    "create_empty_quarantine",
    "create_restore_endpoint_from_isolation_task",
    "delete_rule",
    "isolate_host",
    "quarantine_file",
    "remove_from_block_list",
    "remove_quarantine_items",
    "restore_quarantine_exchange_item",
    "restore_quarantine_item",
    "update_block_list",
}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any test here that tries to open a real connection."""
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("a cassette test tried to open a socket")

    # urllib3 opens connections through socket.socket and getaddrinfo, not create_connection.
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def replay(name: str):
    return make_vcr(record_mode="none").use_cassette(f"{name}.yaml", allow_playback_repeats=False)


@pytest.mark.parametrize("action_id", ACTION_IDS)
def test_cassette_replays_action(action_id):
    action = load_manifest().action(action_id)
    with (
        replay(action_id) as cassette,
        Connector(REPLAY_SETTINGS, rate_limiting=False) as connector,
    ):
        envelope = connector.run(action_id, action.example_input)
    assert envelope["status_code"] == 200
    assert envelope["json_body"]["jsonrpc"] == "2.0"
    assert cassette.all_played
    assert cassette.play_count == 1
    if action_id in EXPECTED_TRUE:
        assert envelope["json_body"]["result"] is True


def test_cassette_create_rule_returns_rule_id():
    action = load_manifest().action("create_rule")
    with replay("create_rule"), Connector(REPLAY_SETTINGS, rate_limiting=False) as connector:
        envelope = connector.run("create_rule", action.example_input)
    assert re.fullmatch(r"[0-9a-f]{24}", envelope["json_body"]["result"])


def test_cassette_quarantine_page_two():
    action = load_manifest().action("get_quarantine_items")
    with (
        replay("get_quarantine_items"),
        Connector(REPLAY_SETTINGS, rate_limiting=False) as connector,
    ):
        result = connector.run("get_quarantine_items", action.example_input)["json_body"]["result"]
    assert result["total"] == 2
    assert result["page"] == 2
    assert result["perPage"] == 1
    assert result["pagesCount"] == 2
    assert len(result["items"]) == 1
    assert result["items"][0]["endpointId"] == "5d36c255f23f730fa91944e2"


def test_cassette_mismatched_body_fails():
    inputs = {"json_body": {"params": {"endpointId": "aaaaaaaaaaaaaaaaaaaaaaaa"}}}
    with replay("isolate_host"), Connector(REPLAY_SETTINGS, rate_limiting=False) as connector:
        with pytest.raises(
            CannotOverwriteExistingCassetteException, match="no recorded interaction"
        ):
            connector.run("isolate_host", inputs)


@pytest.mark.parametrize(
    ("name", "reason_code", "status"),
    [
        ("error_delete_unknown_rule", "jsonrpc_error", 200),
        ("error_restore_unknown_quarantine_item", "jsonrpc_error", 200),
        ("error_key_without_quarantine_area", "forbidden", 403),
        ("error_unknown_api_key", "unauthorized", 401),
    ],
)
def test_cassette_error_case(name, reason_code, status):
    _, action_id, inputs, _ = next(case for case in ERROR_CASES if case[0] == name)
    with replay(name) as cassette, Connector(REPLAY_SETTINGS, rate_limiting=False) as connector:
        with pytest.raises(ActionFailedError) as caught:
            connector.run(action_id, inputs)
    assert caught.value.reason_code == reason_code
    assert caught.value.envelope["status_code"] == status
    assert cassette.all_played


def test_cassette_invalid_params_message():
    _, action_id, inputs, _ = ERROR_CASES[0]
    with (
        replay("error_delete_unknown_rule"),
        Connector(REPLAY_SETTINGS, rate_limiting=False) as connector,
    ):
        with pytest.raises(
            ActionFailedError, match=r"GravityZone error -32602 \(Invalid params\): "
        ):
            connector.run(action_id, inputs)


def _secret_forms(secret: str) -> list[str]:
    basic = base64.b64encode(f"{secret}:".encode()).decode()
    return [secret, basic, base64.b64encode(secret.encode()).decode()]


@pytest.mark.parametrize(
    "secret", [RECORDING_API_KEY, KEY_WITHOUT_QUARANTINE, RECORDING_EXCHANGE_PASSWORD]
)
def test_cassettes_hold_no_secret(secret):
    files = sorted(Path(CASSETTE_DIR).glob("*.yaml"))
    assert len(files) == len(ACTION_IDS) + len(ERROR_CASES)
    for path in files:
        text = path.read_text(encoding="utf-8")
        for form in _secret_forms(secret):
            assert form not in text, f"{path.name} contains a secret"
