"""The connector against the in-process emulator: all 15 actions over HTTP and over TLS."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bitdefender_connector import Connector, NoResponseError
from bitdefender_connector.emulator import Emulator
from bitdefender_connector.manifest import load_manifest

ACTION_IDS = sorted(load_manifest().actions)

# The path each action's example must reach, written from the endpoint URLs of the Swimlane
# connector spec.
EXPECTED_PATHS = {
    "add_file_to_quarantine": "/api/v1.0/jsonrpc/quarantine",
    "create_empty_quarantine": "/api/v1.0/jsonrpc/quarantine/computers",
    "create_restore_endpoint_from_isolation_task": "/api/v1.0/jsonrpc/incidents",
    "create_rule": "/api/v1.0/jsonrpc/incidents",
    "delete_rule": "/api/v1.0/jsonrpc/incidents",
    "get_block_list_items": "/api/v1.0/jsonrpc/incidents",
    "get_quarantine_items": "/api/v1.0/jsonrpc/quarantine/computers",
    "get_rules": "/api/v1.0/jsonrpc/incidents",
    "isolate_host": "/api/v1.0/jsonrpc/incidents",
    "quarantine_file": "/api/v1.0/jsonrpc/quarantine",
    "remove_from_block_list": "/api/v1.0/jsonrpc/incidents",
    "remove_quarantine_items": "/api/v1.0/jsonrpc/quarantine/computers",
    "restore_quarantine_exchange_item": "/api/v1.0/jsonrpc/quarantine/exchange",
    "restore_quarantine_item": "/api/v1.0/jsonrpc/quarantine/computers",
    "update_block_list": "/api/v1.0/jsonrpc/incidents",
}


@pytest.fixture(scope="module")
def emulator():
    with Emulator(rate_limits=False) as running:
        yield running


@pytest.fixture(scope="module")
def tls_emulator():
    with Emulator(tls=True, rate_limits=False) as running:
        yield running


def _run_example(emulator, action_id, **settings):
    emulator.reset_state()
    emulator.clear_requests()
    action = load_manifest().action(action_id)
    connection = {"url": emulator.access_url, "username": emulator.api_key, **settings}
    with Connector(connection, rate_limiting=False) as connector:
        return connector.run(action_id, action.example_input)


@pytest.mark.parametrize("action_id", ACTION_IDS)
def test_action_over_http(emulator, action_id):
    envelope = _run_example(emulator, action_id)
    received = emulator.requests
    assert envelope["status_code"] == 200
    assert envelope["reason"] == "OK"
    assert "error" not in envelope["json_body"]
    assert len(received) == 1
    assert received[0].path == EXPECTED_PATHS[action_id]


@pytest.mark.parametrize("action_id", ACTION_IDS)
def test_action_over_tls(tls_emulator, action_id):
    envelope = _run_example(tls_emulator, action_id, ca_bundle=tls_emulator.ca_bundle_path)
    assert tls_emulator.access_url.startswith("https://127.0.0.1:")
    assert envelope["status_code"] == 200
    assert "result" in envelope["json_body"]


def test_tls_without_ca_bundle_fails(tls_emulator):
    with pytest.raises(NoResponseError) as caught:
        _run_example(tls_emulator, "get_rules")
    assert caught.value.reason_code == "tls_error"
    assert "verify_ssl" in str(caught.value)
    assert "ca_bundle" in str(caught.value)
    assert tls_emulator.requests == []


def test_isolate_then_restore_changes_state(emulator):
    emulator.reset_state()
    endpoint_id = "5b680f6fb1a43d860a7b23c1"
    inputs = {"json_body": {"params": {"endpointId": endpoint_id}}}
    connection = {"url": emulator.access_url, "username": emulator.api_key}
    with Connector(connection, rate_limiting=False) as connector:
        connector.run("isolate_host", inputs)
        isolated = emulator.state.endpoints[endpoint_id].isolated
        connector.run("create_restore_endpoint_from_isolation_task", inputs)
        restored = emulator.state.endpoints[endpoint_id].isolated
    assert isolated is True
    assert restored is False


def test_update_block_list_seen_by_list(emulator):
    emulator.reset_state()
    sha256 = "a" * 64
    connection = {"url": emulator.access_url, "username": emulator.api_key}
    with Connector(connection, rate_limiting=False) as connector:
        connector.run(
            "update_block_list",
            {"json_body": {"params": {"hashType": 1, "hashList": [sha256], "sourceInfo": "Test"}}},
        )
        listed = connector.run(
            "get_block_list_items", {"json_body": {"params": {"page": 1, "perPage": 100}}}
        )
    hashes = [item["hash"] for item in listed["json_body"]["result"]["items"]]
    assert sha256 in hashes


def test_demo_reports_fifteen_successes(tmp_path):
    output = tmp_path / "demo.json"
    completed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "-m", "bitdefender_connector", "demo", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    results = json.loads(output.read_text(encoding="utf-8"))
    assert completed.returncode == 0
    assert "15 of 15 actions succeeded" in completed.stdout
    assert len(results) == 15
    assert all(result["succeeded"] for result in results)
