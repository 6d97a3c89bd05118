"""Connection test against the emulator: full key, key without Quarantine, bad key, no server."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from bitdefender_connector import Connector, ManifestError
from bitdefender_connector.connection_test import format_summary
from bitdefender_connector.emulator import Emulator
from bitdefender_connector.manifest import load_manifest
from bitdefender_connector.retry_policy import RetryPolicy

from .test_cli import closed_port, run_cli, single_json, write_config

FULL_KEY = "conn-test-full-key-7c1d2e3f"
INCIDENTS_ONLY_KEY = "conn-test-incidents-key-4a5b6c"
UNKNOWN_KEY = "conn-test-unknown-key-0000"

INCIDENTS_ACTIONS = [
    "create_restore_endpoint_from_isolation_task",
    "create_rule",
    "delete_rule",
    "get_block_list_items",
    "get_rules",
    "isolate_host",
    "remove_from_block_list",
    "update_block_list",
]
QUARANTINE_ACTIONS = [
    "add_file_to_quarantine",
    "create_empty_quarantine",
    "get_quarantine_items",
    "quarantine_file",
    "remove_quarantine_items",
    "restore_quarantine_exchange_item",
    "restore_quarantine_item",
]
ALL_ACTIONS = sorted(INCIDENTS_ACTIONS + QUARANTINE_ACTIONS)
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def emulator():
    keys = {FULL_KEY: {"incidents", "quarantine"}, INCIDENTS_ONLY_KEY: {"incidents"}}
    with Emulator(api_keys=keys, rate_limits=False) as running:
        yield running


def run_test(url: str, key: str, **settings):
    connection = {"url": url, "username": key, **settings}
    with Connector(
        connection, rate_limiting=False, retry_policy=RetryPolicy(max_attempts=1)
    ) as connector:
        return connector.test_connection()


# Python API


def test_full_key_status_ok(emulator):
    report = run_test(emulator.access_url, FULL_KEY)

    assert report.status == "ok"
    assert report.ok is True
    assert report.exit_code == 0


def test_full_key_runs_every_action(emulator):
    report = run_test(emulator.access_url, FULL_KEY)

    assert sorted(report.runnable_actions) == ALL_ACTIONS
    assert report.blocked_actions == ()
    assert report.missing_api_areas == []


def test_full_key_details(emulator):
    report = run_test(emulator.access_url, FULL_KEY)

    assert report.enabled_apis == ("incidents", "quarantine")
    assert report.key_created_at == "2024-01-15T09:30:00"


def test_full_key_checks(emulator):
    report = run_test(emulator.access_url, FULL_KEY)

    assert report.checks == {
        "access_url": "ok",
        "tls": "not_used",
        "proxy": "not_used",
        "api_key": "accepted",
    }


def test_request_is_get_api_key_details(emulator):
    run_test(emulator.access_url, FULL_KEY)

    [request] = emulator.requests
    assert request.path == "/api/v1.0/jsonrpc/general"
    assert request.http_method == "POST"
    assert request.json["method"] == "getApiKeyDetails"
    assert request.json["params"] == {}


def test_without_quarantine_status(emulator):
    report = run_test(emulator.access_url, INCIDENTS_ONLY_KEY)

    assert report.status == "missing_api_areas"
    assert report.exit_code == 1


def test_without_quarantine_lists_actions(emulator):
    report = run_test(emulator.access_url, INCIDENTS_ONLY_KEY)

    assert sorted(report.runnable_actions) == INCIDENTS_ACTIONS
    assert sorted(blocked.action for blocked in report.blocked_actions) == QUARANTINE_ACTIONS


def test_without_quarantine_names_area(emulator):
    report = run_test(emulator.access_url, INCIDENTS_ONLY_KEY)

    assert report.missing_api_areas == ["Quarantine"]
    assert {blocked.api_area for blocked in report.blocked_actions} == {"Quarantine"}
    assert "until the Quarantine API is enabled" in report.message


def test_without_quarantine_fix_text(emulator):
    report = run_test(emulator.access_url, INCIDENTS_ONLY_KEY)

    blocked = report.to_dict()["blocked_actions"][0]
    assert blocked == {
        "action": "add_file_to_quarantine",
        "api_area": "Quarantine",
        "fix": "enable the Quarantine API for this key in Control Center > My Account > API keys",
    }


def test_bad_key_is_unauthorized(emulator):
    report = run_test(emulator.access_url, UNKNOWN_KEY)

    assert report.status == "unauthorized"
    assert report.exit_code == 1
    assert report.reason_code == "unauthorized"
    assert report.checks["api_key"] == "rejected"


def test_bad_key_lists_no_actions(emulator):
    report = run_test(emulator.access_url, UNKNOWN_KEY)

    assert report.runnable_actions == ()
    assert report.to_dict()["api_key"] is None
    assert report.to_dict()["envelope"]["status_code"] == 401


def test_no_server_is_no_response():
    report = run_test(f"http://127.0.0.1:{closed_port()}", FULL_KEY)

    assert report.status == "no_response"
    assert report.exit_code == 3
    assert report.reason_code == "connection_refused"
    assert report.checks["access_url"] == "failed"


def test_proxy_failure_check():
    proxy = f"http://127.0.0.1:{closed_port()}"

    report = run_test(f"http://127.0.0.1:{closed_port()}", FULL_KEY, http_proxy=proxy)

    assert report.status == "no_response"
    assert report.checks["proxy"] == "failed"
    assert report.checks["access_url"] == "not_checked"


def test_tls_check_ok():
    with Emulator(tls=True, api_keys={FULL_KEY: {"incidents", "quarantine"}}) as emulator:
        report = run_test(emulator.access_url, FULL_KEY, ca_bundle=emulator.ca_bundle_path)

    assert report.status == "ok"
    assert report.checks["tls"] == "ok"


def test_result_without_enabled_apis(recording_server):
    recording_server.respond()  # HTTP 200 with a JSON-RPC result of true

    report = run_test(recording_server.url, FULL_KEY)

    assert report.status == "service_failure"
    assert report.exit_code == 1
    assert report.reason_code == "unexpected_result"


def test_names_compared_without_case(recording_server):
    recording_server.respond(
        body=lambda request: {
            "id": request.json()["id"],
            "jsonrpc": "2.0",
            "result": {
                "enabledApis": ["Incidents", "QUARANTINE"],
                "createdAt": "2023-05-01T08:00:00",
            },
        }
    )

    report = run_test(recording_server.url, FULL_KEY)

    assert report.status == "ok"


def test_summary_lists_blocked_action(emulator):
    report = run_test(emulator.access_url, INCIDENTS_ONLY_KEY)

    summary = format_summary(report)
    assert "  get_quarantine_items: enable Quarantine" in summary.splitlines()


# Manifest


def test_manifest_maps_both_areas():
    spec = load_manifest().connection_test

    assert spec.enabled_api_names == {"Incidents": "incidents", "Quarantine": "quarantine"}
    assert spec.jsonrpc_method == "getApiKeyDetails"
    assert spec.endpoint == "api/v1.0/jsonrpc/general"


def test_manifest_records_source():
    spec = load_manifest().connection_test

    assert "77209-140282-getapikeydetails" in spec.source


def test_manifest_without_area_mapping(tmp_path):
    root = tmp_path / "manifest"
    root.mkdir()
    shutil.copy2(REPOSITORY_ROOT / "connector.yaml", root / "connector.yaml")
    shutil.copytree(REPOSITORY_ROOT / "actions", root / "actions")
    shutil.copytree(REPOSITORY_ROOT / "schemas", root / "schemas")
    connector = yaml.safe_load((root / "connector.yaml").read_text(encoding="utf-8"))
    del connector["connection_test"]["enabled_api_names"]["Quarantine"]
    (root / "connector.yaml").write_text(yaml.safe_dump(connector), encoding="utf-8")

    with pytest.raises(ManifestError) as raised:
        load_manifest(root)

    assert "enabled_api_names" in str(raised.value)
    assert "'Quarantine'" in str(raised.value)


# Command line


def test_cli_full_key(emulator, tmp_path):
    config = write_config(tmp_path, url=emulator.access_url, username=FULL_KEY)

    completed = run_cli("test-connection", "--config", str(config), "--no-rate-limit")

    report = single_json(completed.stdout)
    assert completed.returncode == 0
    assert report["status"] == "ok"
    assert report["api_key"]["enabled_apis"] == ["incidents", "quarantine"]
    assert "all 15 actions can run" in completed.stderr


def test_cli_without_quarantine(emulator, tmp_path):
    config = write_config(tmp_path, url=emulator.access_url, username=INCIDENTS_ONLY_KEY)

    completed = run_cli("test-connection", "--config", str(config), "--no-rate-limit")

    report = single_json(completed.stdout)
    assert completed.returncode == 1
    assert report["missing_api_areas"] == ["Quarantine"]
    assert len(report["blocked_actions"]) == 7


def test_cli_bad_key(emulator, tmp_path):
    config = write_config(tmp_path, url=emulator.access_url, username=UNKNOWN_KEY)

    completed = run_cli("test-connection", "--config", str(config), "--no-rate-limit")

    assert completed.returncode == 1
    assert single_json(completed.stdout)["status"] == "unauthorized"
    assert UNKNOWN_KEY not in completed.stdout + completed.stderr


def test_cli_no_server(tmp_path):
    config = write_config(tmp_path, url=f"http://127.0.0.1:{closed_port()}", username=FULL_KEY)

    completed = run_cli("test-connection", "--config", str(config), "--max-attempts", "1")

    assert completed.returncode == 3
    assert single_json(completed.stdout)["status"] == "no_response"


def test_cli_missing_url():
    completed = run_cli("test-connection", environment={"BITDEFENDER_API_KEY": FULL_KEY})

    assert completed.returncode == 2
    assert single_json(completed.stdout)["error"]["type"] == "invalid_configuration"


def test_report_is_json_serialisable(emulator):
    report = run_test(emulator.access_url, INCIDENTS_ONLY_KEY)

    assert json.loads(json.dumps(report.to_dict()))["status"] == "missing_api_areas"


def test_forbidden_key_message(recording_server):
    recording_server.respond(status=403, body={"error": "Forbidden"})

    report = run_test(recording_server.url, FULL_KEY)

    assert report.message == (
        "connection_test: HTTP 403 Forbidden: GravityZone rejected the API key for "
        "getApiKeyDetails, which needs no API area of its own. Check that username (or "
        "BITDEFENDER_API_KEY) is an API key from Control Center > My Account > API keys on this "
        "console, not a key of another Bitdefender product, and that the key is not restricted"
    )


def test_forbidden_key_names_no_area(recording_server):
    recording_server.respond(status=403, body={"error": "Forbidden"})

    report = run_test(recording_server.url, FULL_KEY)

    assert "General" not in report.message
    assert "enable" not in report.message


def test_forbidden_key_report(recording_server):
    recording_server.respond(status=403, body={"error": "Forbidden"})

    report = run_test(recording_server.url, FULL_KEY)

    assert report.status == "unauthorized"
    assert report.exit_code == 1
    assert report.reason_code == "forbidden"
    assert report.checks["api_key"] == "rejected"
    assert report.checks["access_url"] == "ok"


def test_result_false_message(recording_server):
    recording_server.respond(
        body=lambda request: {"id": request.json()["id"], "jsonrpc": "2.0", "result": False}
    )

    report = run_test(recording_server.url, FULL_KEY)

    assert report.status == "service_failure"
    assert report.reason_code == "result_false"
    assert report.checks["api_key"] == "not_checked"
    assert report.message == (
        "connection_test: GravityZone returned false for getApiKeyDetails instead of the API "
        "key's details. Check that url is the API access URL of the console that issued the key"
    )


def test_unauthorized_message_kept(emulator):
    report = run_test(emulator.access_url, UNKNOWN_KEY)

    assert report.message.startswith("connection_test: HTTP 401 Unauthorized: ")
