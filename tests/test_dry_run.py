"""Dry runs describe the request without sending it and mask every secret."""

from __future__ import annotations

import json
import socket
import uuid

import pytest

from bitdefender_connector import Connector, __version__

from .test_spec_examples import ACTION_IDS, EXPECTED_REQUESTS, restored_example

API_KEY = "dry-run-key-7c41d2e9b05f4a38a6e1"
EXCHANGE_PASSWORD = "Exch4nge-P@ssw0rd-secret"
CONNECTION = {"url": "https://127.0.0.1:8443/api", "username": API_KEY}


def dry_run(action_id, inputs, connection=None):
    return Connector(CONNECTION if connection is None else connection).run(
        action_id, inputs, dry_run=True
    )


def exchange_input():
    inputs = restored_example("restore_quarantine_exchange_item")
    inputs["json_body"]["params"]["password"] = EXCHANGE_PASSWORD
    return inputs


@pytest.fixture
def no_network(monkeypatch):
    """Make every attempt to open a socket raise, so a test fails if anything connects."""

    def reject_socket(*args, **kwargs):
        raise AssertionError("a dry run tried to open a network socket")

    monkeypatch.setattr(socket, "socket", reject_socket)
    monkeypatch.setattr(socket, "create_connection", reject_socket)
    monkeypatch.setattr(socket, "getaddrinfo", reject_socket)


def test_output_shape():
    result = dry_run("isolate_host", restored_example("isolate_host"))

    assert result == {
        "dry_run": True,
        "action": "isolate_host",
        "request": {
            "method": "POST",
            "url": "https://127.0.0.1:8443/api/v1.0/jsonrpc/incidents",
            "headers": {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "User-Agent": f"bitdefender-connector/{__version__}",
                "Authorization": "Basic ********",
            },
            "json_body": {
                "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
                "jsonrpc": "2.0",
                "method": "createIsolateEndpointTask",
                "params": {"endpointId": "5b680f6fb1a43d860a7b23c1"},
            },
        },
    }


def test_user_agent_names_connector():
    result = dry_run("isolate_host", restored_example("isolate_host"))

    assert result["request"]["headers"]["User-Agent"].startswith("bitdefender-connector/")


def test_alias_reports_action_id():
    inputs = restored_example("remove_quarantine_items")

    result = dry_run("remove_quarentine_items", inputs)

    assert result["action"] == "remove_quarantine_items"


def test_authorization_masked():
    result = dry_run("isolate_host", restored_example("isolate_host"))

    assert result["request"]["headers"]["Authorization"] == "Basic ********"


@pytest.mark.parametrize("action_id", ACTION_IDS)
def test_api_key_absent(action_id):
    result = dry_run(action_id, restored_example(action_id))

    text = json.dumps(result)
    assert API_KEY not in text
    # base64 of "dry-run-key-7c41d2e9b05f4a38a6e1:", the Basic credentials on the wire.
    assert "ZHJ5LXJ1bi1rZXktN2M0MWQyZTliMDVmNGEzOGE2ZTE6" not in text


def test_exchange_password_masked():
    result = dry_run("restore_quarantine_exchange_item", exchange_input())

    assert result["request"]["json_body"]["params"]["password"] == "********"


def test_exchange_password_absent():
    result = dry_run("restore_quarantine_exchange_item", exchange_input())

    assert EXCHANGE_PASSWORD not in json.dumps(result)


def test_exchange_user_not_masked():
    result = dry_run("restore_quarantine_exchange_item", exchange_input())

    assert result["request"]["json_body"]["params"]["username"] == "user@domain"


def test_password_masked_via_alias():
    result = dry_run("restore_quarantine_exchage_item", exchange_input())

    assert EXCHANGE_PASSWORD not in json.dumps(result)


def test_caller_input_unchanged():
    inputs = exchange_input()

    dry_run("restore_quarantine_exchange_item", inputs)

    assert inputs["json_body"]["params"]["password"] == EXCHANGE_PASSWORD


def test_missing_id_becomes_uuid():
    inputs = restored_example("isolate_host")
    del inputs["json_body"]["id"]

    result = dry_run("isolate_host", inputs)

    request_id = result["request"]["json_body"]["id"]
    assert uuid.UUID(request_id).version == 4


def test_omitted_fields_filled():
    inputs = {"json_body": {"params": {"endpointId": "5b680f6fb1a43d860a7b23c1"}}}

    result = dry_run("isolate_host", inputs)

    body = result["request"]["json_body"]
    assert body["jsonrpc"] == "2.0"
    assert body["method"] == "createIsolateEndpointTask"


def test_no_connection_uses_cloud_url(no_network):
    result = Connector().run("isolate_host", restored_example("isolate_host"), dry_run=True)

    assert result["request"]["url"] == (
        "https://cloud.gravityzone.bitdefender.com/api/v1.0/jsonrpc/incidents"
    )


@pytest.mark.parametrize("action_id", ACTION_IDS)
def test_opens_no_socket(action_id, no_network):
    result = dry_run(action_id, restored_example(action_id))

    expected_path, _ = EXPECTED_REQUESTS[action_id]
    assert result["request"]["url"] == "https://127.0.0.1:8443" + expected_path


def test_all_actions_without_network(no_network):
    # One Connector runs all 15 dry runs, so a lazily created session would show up here too.
    connector = Connector(CONNECTION)

    results = [
        connector.run(action_id, restored_example(action_id), dry_run=True)
        for action_id in ACTION_IDS
    ]

    assert [result["action"] for result in results] == ACTION_IDS
    assert all(result["dry_run"] is True for result in results)


def test_network_guard_works(no_network):
    with pytest.raises(AssertionError):
        socket.create_connection(("127.0.0.1", 9))
