"""Emulator transport: routes, HTTP statuses, authentication, JSON-RPC envelope errors, logging."""

from __future__ import annotations

import base64
import logging

import pytest
import requests

from bitdefender_connector.emulator import Emulator

from .test_emulator_support import (
    COMPUTERS,
    EXCHANGE,
    GENERAL,
    INCIDENTS,
    QUARANTINE,
    EmulatorClient,
    envelope,
)

INCIDENTS_ONLY_KEY = "key-with-incidents-only"
QUARANTINE_ONLY_KEY = "key-with-quarantine-only"


@pytest.fixture
def emulator():
    emulator = Emulator(rate_limits=False)
    emulator.add_api_key(INCIDENTS_ONLY_KEY, {"incidents"})
    emulator.add_api_key(QUARANTINE_ONLY_KEY, {"quarantine"})
    with emulator:
        yield emulator


@pytest.fixture
def client(emulator):
    client = EmulatorClient(emulator)
    yield client
    client.close()


def post_raw(emulator, route, data, headers=None, auth=None):
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return requests.post(
        f"{emulator.access_url}/{route}",
        data=data,
        headers=all_headers,
        auth=auth if auth is not None else (emulator.api_key, ""),
        timeout=5,
    )


ISOLATE = envelope("createIsolateEndpointTask", {"endpointId": "5b680f6fb1a43d860a7b23c1"})


# Routes and HTTP methods


def test_access_url_ends_with_api(emulator):
    assert emulator.access_url.startswith("http://127.0.0.1:")
    assert emulator.access_url.endswith("/api")


def test_ca_bundle_path_is_none_without_tls(emulator):
    assert emulator.ca_bundle_path is None


def test_unknown_path_returns_404(client):
    response = client.post("v1.0/jsonrpc/network", ISOLATE)

    assert response.status_code == 404


def test_other_api_version_returns_404(client):
    response = client.post("v1.2/jsonrpc/incidents", ISOLATE)

    assert response.status_code == 404


@pytest.mark.parametrize("http_method", ["GET", "PUT", "DELETE", "PATCH"])
def test_non_post_returns_405(emulator, http_method):
    response = requests.request(
        http_method,
        f"{emulator.access_url}/{INCIDENTS}",
        auth=(emulator.api_key, ""),
        timeout=5,
    )

    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_head_returns_405_without_body(emulator):
    response = requests.head(f"{emulator.access_url}/{INCIDENTS}", timeout=5)

    assert response.status_code == 405
    assert response.content == b""


def test_missing_content_type_returns_415(emulator):
    response = requests.post(
        f"{emulator.access_url}/{INCIDENTS}",
        data=b'{"id":"1","jsonrpc":"2.0","method":"getBlocklistItems","params":{}}',
        auth=(emulator.api_key, ""),
        timeout=5,
    )

    assert response.status_code == 415


def test_content_type_charset_accepted(emulator):
    response = post_raw(
        emulator,
        INCIDENTS,
        b'{"id":"1","jsonrpc":"2.0","method":"getBlocklistItems","params":{}}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 200


def test_response_has_json_type_and_date(client):
    response = client.post(INCIDENTS, ISOLATE)

    assert response.headers["Content-Type"] == "application/json"
    assert "Date" in response.headers


# Authentication and API areas


def test_missing_authorization_returns_401(emulator):
    response = requests.post(f"{emulator.access_url}/{INCIDENTS}", json=ISOLATE, timeout=5)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert response.json()["error"]["code"] == -32001
    assert response.json()["id"] == "req-1"


def test_unknown_api_key_returns_401(emulator):
    response = requests.post(
        f"{emulator.access_url}/{INCIDENTS}", json=ISOLATE, auth=("not-a-key", ""), timeout=5
    )

    assert response.status_code == 401
    assert response.json()["error"]["data"]["details"] == "The API key is not valid."


def test_non_empty_password_returns_401(emulator):
    response = requests.post(
        f"{emulator.access_url}/{INCIDENTS}",
        json=ISOLATE,
        auth=(emulator.api_key, "secret"),
        timeout=5,
    )

    assert response.status_code == 401


def test_bearer_scheme_returns_401(emulator):
    response = requests.post(
        f"{emulator.access_url}/{INCIDENTS}",
        json=ISOLATE,
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=5,
    )

    assert response.status_code == 401


def test_invalid_base64_returns_401(emulator):
    response = requests.post(
        f"{emulator.access_url}/{INCIDENTS}",
        json=ISOLATE,
        headers={"Authorization": "Basic !!!not-base64!!!"},
        timeout=5,
    )

    assert response.status_code == 401


def test_hand_built_basic_header_is_accepted(emulator):
    token = base64.b64encode(f"{emulator.api_key}:".encode()).decode()
    response = requests.post(
        f"{emulator.access_url}/{INCIDENTS}",
        json=ISOLATE,
        headers={"Authorization": f"Basic {token}"},
        timeout=5,
    )

    assert response.status_code == 200
    assert response.json()["result"] is True


@pytest.mark.parametrize("route", [QUARANTINE, COMPUTERS, EXCHANGE])
def test_quarantine_routes_need_quarantine_area(emulator, route):
    client = EmulatorClient(emulator, INCIDENTS_ONLY_KEY)

    response = client.call(route, "getQuarantineItemsList")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == -32001
    assert response.json()["error"]["data"]["details"] == (
        "The API key is not allowed to use the Quarantine API."
    )


def test_incidents_route_needs_incidents_area(emulator):
    client = EmulatorClient(emulator, QUARANTINE_ONLY_KEY)

    response = client.post(INCIDENTS, ISOLATE)

    assert response.status_code == 403
    assert response.json()["error"]["data"]["details"] == (
        "The API key is not allowed to use the Incidents API."
    )


def test_quarantine_key_lists_quarantine(emulator):
    client = EmulatorClient(emulator, QUARANTINE_ONLY_KEY)

    response = client.call(COMPUTERS, "getQuarantineItemsList")

    assert response.status_code == 200
    assert response.json()["result"]["total"] == 9


def test_forbidden_call_does_not_change_state(emulator):
    client = EmulatorClient(emulator, QUARANTINE_ONLY_KEY)

    client.post(INCIDENTS, ISOLATE)

    assert emulator.state.endpoints["5b680f6fb1a43d860a7b23c1"].isolated is False


# getApiKeyDetails


def test_api_key_details_of_default_key(client):
    body = client.rpc(GENERAL, "getApiKeyDetails")

    assert body == {
        "id": "req-1",
        "jsonrpc": "2.0",
        "result": {"enabledApis": ["incidents", "quarantine"], "createdAt": "2024-01-15T09:30:00"},
    }


def test_api_key_details_of_restricted_key(emulator):
    client = EmulatorClient(emulator, INCIDENTS_ONLY_KEY)

    result = client.rpc(GENERAL, "getApiKeyDetails")["result"]

    assert result["enabledApis"] == ["incidents"]


def test_key_details_list_other_areas(emulator):
    emulator.add_api_key("reporting-key", {"reports", "network", "general"})
    client = EmulatorClient(emulator, "reporting-key")

    result = client.rpc(GENERAL, "getApiKeyDetails")["result"]

    assert result["enabledApis"] == ["network", "reports"]


def test_api_key_details_rejects_params(client):
    error = client.rpc(GENERAL, "getApiKeyDetails", {"verbose": True})["error"]

    assert error["code"] == -32602
    assert error["data"]["details"] == "Unknown parameter 'verbose'. Accepted: none."


def test_api_keys_replace_generated_key():
    with Emulator(api_keys={"fixed-key": {"incidents"}}, rate_limits=False) as emulator:
        client = EmulatorClient(emulator)

        result = client.rpc(GENERAL, "getApiKeyDetails")["result"]

    assert emulator.api_key == "fixed-key"
    assert result["enabledApis"] == ["incidents"]


def test_empty_api_keys_are_rejected():
    with pytest.raises(ValueError, match="api_keys must contain at least one key"):
        Emulator(api_keys={})


def test_unknown_area_name_is_rejected(emulator):
    with pytest.raises(ValueError, match="Unknown API area 'incident'"):
        emulator.add_api_key("typo-key", {"incident"})


# JSON-RPC envelope errors (always HTTP 200)


def test_malformed_json_returns_parse_error(emulator):
    response = post_raw(emulator, INCIDENTS, b'{"id": "1", "jsonrpc": ')

    assert response.status_code == 200
    assert response.json()["id"] is None
    assert response.json()["error"]["code"] == -32700
    assert response.json()["error"]["message"] == "Parse error"


def test_invalid_utf8_returns_parse_error(emulator):
    response = post_raw(emulator, INCIDENTS, b'{"id": "\xff"}')

    assert response.json()["error"]["code"] == -32700


def test_nan_returns_parse_error(emulator):
    body = b'{"id":"1","jsonrpc":"2.0","method":"getBlocklistItems","params":{"page":NaN}}'

    response = post_raw(emulator, INCIDENTS, body)

    assert response.json()["error"]["code"] == -32700


@pytest.mark.parametrize(
    ("body", "details"),
    [
        (
            [envelope("getBlocklistItems")],
            "Batch requests (JSON arrays) are not supported. Send one object.",
        ),
        ("getBlocklistItems", "The request must be a JSON object."),
        (
            {"id": "1", "method": "getBlocklistItems", "params": {}},
            'The "jsonrpc" member must be the string "2.0".',
        ),
        (
            {"id": "1", "jsonrpc": "1.0", "method": "getBlocklistItems", "params": {}},
            'The "jsonrpc" member must be the string "2.0".',
        ),
        (
            {"id": "1", "jsonrpc": "2.0", "method": 7, "params": {}},
            'The "method" member must be a string.',
        ),
        (
            {"id": "1", "jsonrpc": "2.0", "params": {}},
            'The "method" member must be a string.',
        ),
        (
            {"id": "1", "jsonrpc": "2.0", "method": "getBlocklistItems", "params": [1, 30]},
            'The "params" member must be an object of named parameters.',
        ),
        (
            {"jsonrpc": "2.0", "method": "getBlocklistItems", "params": {}},
            'The "id" member is missing. Notifications are not supported.',
        ),
        (
            {"id": "1", "jsonrpc": "2.0", "method": "getApiKeyDetails"},
            'The "params" member is missing. Send {} for a method without params.',
        ),
        (
            {"id": {"nested": 1}, "jsonrpc": "2.0", "method": "getBlocklistItems", "params": {}},
            'The "id" member must be a string, a number or null.',
        ),
    ],
)
def test_invalid_request_returns_32600(client, body, details):
    response = client.post(INCIDENTS, body)

    assert response.status_code == 200
    assert response.json()["error"]["code"] == -32600
    assert response.json()["error"]["message"] == "Invalid Request"
    assert response.json()["error"]["data"]["details"] == details


def test_invalid_request_echoes_id(client):
    response = client.post(INCIDENTS, {"id": "abc", "jsonrpc": "1.0", "method": "x"})

    assert response.json()["id"] == "abc"


def test_unknown_method_returns_32601(client):
    body = client.rpc(INCIDENTS, "getIncidentsList")

    assert body == {
        "id": "req-1",
        "jsonrpc": "2.0",
        "error": {"code": -32601, "message": "Method not found"},
    }


def test_method_name_is_case_sensitive(client):
    error = client.rpc(INCIDENTS, "getBlockListItems")["error"]

    assert error["code"] == -32601


@pytest.mark.parametrize(
    ("route", "method", "details"),
    [
        (
            COMPUTERS,
            "createIsolateEndpointTask",
            "createIsolateEndpointTask is served at /api/v1.0/jsonrpc/incidents, "
            "not at /api/v1.0/jsonrpc/quarantine/computers.",
        ),
        (
            COMPUTERS,
            "createRestoreQuarantineExchangeItemTask",
            "createRestoreQuarantineExchangeItemTask is served at "
            "/api/v1.0/jsonrpc/quarantine/exchange, not at /api/v1.0/jsonrpc/quarantine/computers.",
        ),
        (
            EXCHANGE,
            "createRestoreQuarantineItemTask",
            "createRestoreQuarantineItemTask is served at /api/v1.0/jsonrpc/quarantine/computers, "
            "not at /api/v1.0/jsonrpc/quarantine/exchange.",
        ),
        (
            EXCHANGE,
            "createAddFileToQuarantineTask",
            "createAddFileToQuarantineTask is served at /api/v1.0/jsonrpc/quarantine or "
            "/api/v1.0/jsonrpc/quarantine/computers, not at /api/v1.0/jsonrpc/quarantine/exchange.",
        ),
        (
            QUARANTINE,
            "getQuarantineItemsList",
            "getQuarantineItemsList is served at /api/v1.0/jsonrpc/quarantine/computers or "
            "/api/v1.0/jsonrpc/quarantine/exchange, not at /api/v1.0/jsonrpc/quarantine.",
        ),
        (
            INCIDENTS,
            "getApiKeyDetails",
            "getApiKeyDetails is served at /api/v1.0/jsonrpc/general, "
            "not at /api/v1.0/jsonrpc/incidents.",
        ),
        (
            GENERAL,
            "addToBlocklist",
            "addToBlocklist is served at /api/v1.0/jsonrpc/incidents, "
            "not at /api/v1.0/jsonrpc/general.",
        ),
    ],
)
def test_method_on_wrong_route_returns_32601(client, route, method, details):
    error = client.rpc(route, method)["error"]

    assert error["code"] == -32601
    assert error["data"]["details"] == details


def test_wrong_route_call_does_not_change_state(client, emulator):
    client.call(COMPUTERS, "createIsolateEndpointTask", {"endpointId": "5b680f6fb1a43d860a7b23c1"})

    assert emulator.state.endpoints["5b680f6fb1a43d860a7b23c1"].isolated is False


# Request id echo


@pytest.mark.parametrize("request_id", ["0df7568c-59c1-48e0-a31b-18d83e6d9810", 42, None, ""])
def test_response_echoes_request_id(client, request_id):
    response = client.call(INCIDENTS, "getBlocklistItems", request_id=request_id)

    assert response.json()["id"] == request_id


def test_invalid_params_echoes_request_id(client):
    response = client.call(INCIDENTS, "getBlocklistItems", {"perPage": 500}, request_id="echo-me")

    assert response.json()["id"] == "echo-me"


# Recorded requests


def test_requests_are_recorded(client, emulator):
    client.call(INCIDENTS, "getBlocklistItems", {"page": 1})

    recorded = emulator.requests[-1]
    assert recorded.http_method == "POST"
    assert recorded.path == "/api/v1.0/jsonrpc/incidents"
    assert recorded.jsonrpc_method == "getBlocklistItems"
    assert recorded.json == {
        "id": "req-1",
        "jsonrpc": "2.0",
        "method": "getBlocklistItems",
        "params": {"page": 1},
    }
    assert recorded.headers["Content-Type"] == "application/json"
    assert recorded.headers["Authorization"].startswith("Basic ")


def test_rejected_requests_are_recorded(emulator):
    requests.get(f"{emulator.access_url}/{INCIDENTS}", timeout=5)
    post_raw(emulator, INCIDENTS, b"not json")

    methods = [(recorded.http_method, recorded.json) for recorded in emulator.requests]
    assert methods == [("GET", None), ("POST", None)]


def test_clear_requests_empties_the_list(client, emulator):
    client.call(INCIDENTS, "getBlocklistItems")

    emulator.clear_requests()

    assert emulator.requests == []


# Logging


def test_debug_log_line_omits_key(client, emulator, caplog):
    caplog.set_level(logging.DEBUG, logger="bitdefender_connector.emulator")

    client.call(INCIDENTS, "getBlocklistItems", request_id="log-me")

    request_lines = [
        record.getMessage() for record in caplog.records if "jsonrpc_method=" in record.getMessage()
    ]
    assert request_lines == [
        "POST /api/v1.0/jsonrpc/incidents jsonrpc_method=getBlocklistItems "
        "request_id='log-me' status=200 jsonrpc_error=None"
    ]
    assert emulator.api_key not in caplog.text
    assert "Authorization" not in caplog.text


def test_debug_log_names_jsonrpc_error_code(client, caplog):
    caplog.set_level(logging.DEBUG, logger="bitdefender_connector.emulator")

    client.call(INCIDENTS, "getBlocklistItems", {"perPage": 500})

    assert "status=200 jsonrpc_error=-32602" in caplog.text


def test_failed_auth_log_omits_key(emulator, caplog):
    caplog.set_level(logging.DEBUG, logger="bitdefender_connector.emulator")

    requests.post(
        f"{emulator.access_url}/{INCIDENTS}",
        json=ISOLATE,
        auth=("wrong-secret-key", ""),
        timeout=5,
    )

    assert "wrong-secret-key" not in caplog.text
    assert "status=401" in caplog.text
