"""Emulator fault injection: each fault mode, its options, matching and the control route."""

from __future__ import annotations

import email.utils
import json

import pytest
import requests

from bitdefender_connector.emulator import Fault

from .test_emulator_support import CONTROL, INCIDENTS, EmulatorClient, envelope

FINANCE_ENDPOINT = "5b680f6fb1a43d860a7b23c1"
ISOLATE_PARAMS = {"endpointId": FINANCE_ENDPOINT}


def isolate(client, request_id="req-1"):
    return client.call(INCIDENTS, "createIsolateEndpointTask", ISOLATE_PARAMS, request_id)


def is_isolated(emulator):
    return emulator.state.endpoints[FINANCE_ENDPOINT].isolated


# HTTP-level faults


@pytest.mark.parametrize(
    ("fault", "status", "title"),
    [
        (Fault.HTTP_500_HTML, 500, b"Internal Server Error"),
        (Fault.HTTP_502_HTML, 502, b"Bad Gateway"),
        (Fault.HTTP_503, 503, b"Service Unavailable"),
    ],
)
def test_server_error_faults_return_html(client, emulator, fault, status, title):
    emulator.inject_fault(fault)

    response = isolate(client)

    assert response.status_code == status
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert title in response.content
    assert is_isolated(emulator) is False


def test_503_has_no_retry_after_by_default(client, emulator):
    emulator.inject_fault(Fault.HTTP_503)

    response = isolate(client)

    assert "Retry-After" not in response.headers


def test_503_with_retry_after(client, emulator):
    emulator.inject_fault(Fault.HTTP_503, retry_after=7)

    response = isolate(client)

    assert response.headers["Retry-After"] == "7"


def test_429_fault_defaults_to_one_second(client, emulator):
    emulator.inject_fault(Fault.HTTP_429)

    response = isolate(client, "limited")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.json()["id"] == "limited"
    assert response.json()["error"]["code"] == -32003
    assert is_isolated(emulator) is False


def test_429_fault_with_seconds(client, emulator):
    emulator.inject_fault(Fault.HTTP_429, retry_after=30)

    response = isolate(client)

    assert response.headers["Retry-After"] == "30"


def test_429_fault_with_http_date(client, emulator):
    emulator.inject_fault(Fault.HTTP_429, retry_after=30, retry_after_http_date=True)

    response = isolate(client)

    parsed = email.utils.parsedate_to_datetime(response.headers["Retry-After"])
    assert parsed.tzinfo is not None
    assert response.headers["Retry-After"].endswith(" GMT")


def test_429_fault_with_raw_value(client, emulator):
    emulator.inject_fault(Fault.HTTP_429, retry_after="60, 60")

    response = isolate(client)

    assert response.headers["Retry-After"] == "60, 60"


def test_empty_200(client, emulator):
    emulator.inject_fault(Fault.EMPTY_200)

    response = isolate(client)

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["Content-Length"] == "0"
    assert is_isolated(emulator) is False


def test_204(client, emulator):
    emulator.inject_fault(Fault.HTTP_204)

    response = isolate(client)

    assert response.status_code == 204
    assert response.content == b""
    assert is_isolated(emulator) is False


def test_truncated_json_is_not_decodable(client, emulator):
    emulator.inject_fault(Fault.TRUNCATED_JSON)

    response = isolate(client)

    assert response.status_code == 200
    assert response.content.startswith(b'{"id":"req-1"')
    with pytest.raises(ValueError):
        json.loads(response.content)
    assert is_isolated(emulator) is False


# JSON-RPC error faults


def test_jsonrpc_error_with_data_object(client, emulator):
    emulator.inject_fault(Fault.JSONRPC_ERROR)

    response = isolate(client)

    assert response.status_code == 200
    assert response.json() == {
        "id": "req-1",
        "jsonrpc": "2.0",
        "error": {
            "code": -32000,
            "message": "Server error",
            "data": {"details": "The GravityZone emulator injected this error."},
        },
    }
    assert is_isolated(emulator) is False


def test_jsonrpc_error_options(client, emulator):
    emulator.inject_fault(
        Fault.JSONRPC_ERROR, code=-32001, message="Operation not allowed", details="No license."
    )

    error = isolate(client).json()["error"]

    assert error == {
        "code": -32001,
        "message": "Operation not allowed",
        "data": {"details": "No license."},
    }


def test_jsonrpc_error_with_data_string(client, emulator):
    emulator.inject_fault(Fault.JSONRPC_ERROR_DATA_STRING, details="plain text")

    error = isolate(client).json()["error"]

    assert error["data"] == "plain text"


def test_jsonrpc_error_with_data_list(client, emulator):
    emulator.inject_fault(Fault.JSONRPC_ERROR_DATA_LIST, details="first")

    error = isolate(client).json()["error"]

    assert error["data"] == ["first"]


def test_jsonrpc_error_without_data(client, emulator):
    emulator.inject_fault(Fault.JSONRPC_ERROR_NO_DATA)

    error = isolate(client).json()["error"]

    assert error == {"code": -32000, "message": "Server error"}


# Response id, delay and dropped connection


def test_wrong_id_keeps_real_result(client, emulator):
    emulator.inject_fault(Fault.WRONG_ID)

    body = isolate(client, "mine").json()

    assert body == {"id": "mine-other", "jsonrpc": "2.0", "result": True}
    assert is_isolated(emulator) is False


def test_wrong_id_with_chosen_id(client, emulator):
    emulator.inject_fault(Fault.WRONG_ID, response_id=None)

    body = isolate(client, "mine").json()

    assert body["id"] is None


def test_wrong_id_on_list_call_keeps_items(client, emulator):
    emulator.inject_fault(Fault.WRONG_ID)

    body = client.call(INCIDENTS, "getBlocklistItems").json()

    assert body["result"]["total"] == 4


def test_delay_longer_than_read_timeout(client, emulator):
    emulator.inject_fault(Fault.DELAY)

    with pytest.raises(requests.exceptions.ReadTimeout):
        client.session.post(
            client.url(INCIDENTS),
            json=envelope("createIsolateEndpointTask", ISOLATE_PARAMS),
            timeout=(5, 0.2),
        )

    assert is_isolated(emulator) is False


def test_stop_releases_delayed_request(emulator):
    client = EmulatorClient(emulator)
    emulator.inject_fault(Fault.DELAY, seconds=60)
    with pytest.raises(requests.exceptions.ReadTimeout):
        client.session.post(
            client.url(INCIDENTS),
            json=envelope("createIsolateEndpointTask", ISOLATE_PARAMS),
            timeout=(5, 0.1),
        )

    emulator.stop()

    assert is_isolated(emulator) is False


def test_short_delay_then_normal_response(client, emulator):
    emulator.inject_fault(Fault.DELAY, seconds=0.05)

    body = isolate(client).json()

    assert body == {"id": "req-1", "jsonrpc": "2.0", "result": True}
    assert is_isolated(emulator) is False


def test_dropped_connection(client, emulator):
    emulator.inject_fault(Fault.DROP_CONNECTION)

    with pytest.raises(requests.exceptions.ConnectionError):
        isolate(client)

    assert is_isolated(emulator) is False


def test_call_after_dropped_connection_succeeds(client, emulator):
    emulator.inject_fault(Fault.DROP_CONNECTION)
    with pytest.raises(requests.exceptions.ConnectionError):
        isolate(client)

    response = isolate(client)

    assert response.json()["result"] is True
    assert is_isolated(emulator) is True


# Matching and counting


def test_fault_applies_to_next_call_only(client, emulator):
    emulator.inject_fault(Fault.HTTP_500_HTML)

    first = isolate(client)
    second = isolate(client)

    assert first.status_code == 500
    assert second.status_code == 200


def test_fault_count(client, emulator):
    emulator.inject_fault(Fault.HTTP_502_HTML, count=2)

    statuses = [isolate(client).status_code for _ in range(3)]

    assert statuses == [502, 502, 200]


def test_fault_for_one_method_skips_others(client, emulator):
    emulator.inject_fault(Fault.HTTP_500_HTML, method="createIsolateEndpointTask")

    other = client.call(INCIDENTS, "getBlocklistItems")
    matching = isolate(client)

    assert other.status_code == 200
    assert matching.status_code == 500


def test_faults_are_used_in_order(client, emulator):
    emulator.inject_fault(Fault.HTTP_502_HTML)
    emulator.inject_fault(Fault.HTTP_503)

    statuses = [isolate(client).status_code for _ in range(3)]

    assert statuses == [502, 503, 200]


def test_fault_waits_behind_authentication(emulator):
    emulator.inject_fault(Fault.HTTP_500_HTML)
    unauthenticated = requests.post(
        f"{emulator.access_url}/{INCIDENTS}",
        json=envelope("createIsolateEndpointTask", ISOLATE_PARAMS),
        timeout=5,
    )

    assert unauthenticated.status_code == 401
    assert len(emulator.pending_faults) == 1


def test_clear_faults(client, emulator):
    emulator.inject_fault(Fault.HTTP_500_HTML, count=5)

    emulator.clear_faults()

    assert isolate(client).status_code == 200


def test_fault_by_value_string(client, emulator):
    emulator.inject_fault("http_502_html")

    assert isolate(client).status_code == 502


@pytest.mark.parametrize(
    ("fault", "options", "message"),
    [
        ("no_such_fault", {}, "Unknown fault 'no_such_fault'"),
        (Fault.HTTP_500_HTML, {"retry_after": 3}, "does not accept option 'retry_after'"),
        (Fault.DELAY, {"seconds": 0}, "seconds must be a number greater than 0"),
        (Fault.HTTP_429, {"retry_after": -1}, "retry_after must be a number of seconds"),
    ],
)
def test_invalid_fault_is_rejected(emulator, fault, options, message):
    with pytest.raises(ValueError, match=message):
        emulator.inject_fault(fault, **options)


def test_zero_count_is_rejected(emulator):
    with pytest.raises(ValueError, match="count must be an integer of at least 1"):
        emulator.inject_fault(Fault.HTTP_500_HTML, count=0)


# Control route


def test_control_route_injects_fault(client, emulator):
    params = {
        "fault": "http_429",
        "count": 1,
        "method": "createIsolateEndpointTask",
        "options": {"retry_after": 9},
    }

    control = client.call(CONTROL, "emulator.injectFault", params)
    response = isolate(client)

    assert control.json() == {"id": "req-1", "jsonrpc": "2.0", "result": True}
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "9"


def test_control_route_clears_faults(client, emulator):
    emulator.inject_fault(Fault.HTTP_500_HTML)

    client.call(CONTROL, "emulator.clearFaults")

    assert isolate(client).status_code == 200


def test_control_route_resets_state(client, emulator):
    isolate(client)

    client.call(CONTROL, "emulator.resetState")

    assert is_isolated(emulator) is False


def test_control_route_rejects_bad_fault(client):
    error = client.call(CONTROL, "emulator.injectFault", {"fault": "meltdown"}).json()["error"]

    assert error["code"] == -32602
    assert error["data"]["details"].startswith("Unknown fault 'meltdown'.")


def test_control_route_rejects_unknown_method(client):
    error = client.call(CONTROL, "emulator.shutdown").json()["error"]

    assert error["code"] == -32601


def test_control_route_needs_api_key(emulator):
    response = requests.post(
        f"{emulator.access_url}/{CONTROL}",
        json=envelope("emulator.clearFaults"),
        timeout=5,
    )

    assert response.status_code == 401


def test_control_calls_are_not_recorded(client, emulator):
    client.call(CONTROL, "emulator.clearFaults")

    assert emulator.requests == []


def test_control_calls_do_not_use_faults(client, emulator):
    emulator.inject_fault(Fault.HTTP_500_HTML)

    control = client.call(CONTROL, "emulator.clearFaults")

    assert control.status_code == 200
