"""End-to-end runs through Connector.run against the recording HTTP server on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import logging
import time
import uuid

import pytest

from bitdefender_connector import ActionFailedError, Connector, NoResponseError
from bitdefender_connector.retry_policy import RetryPolicy

from .test_spec_examples import ACTION_IDS, EXPECTED_REQUESTS, restored_example

# The key that the server_connection fixture configures. It is not a real key.
API_KEY = "test-key-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
EXPECTED_AUTHORIZATION = "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode()

INVALID_PARAMS_ERROR = {
    "code": -32602,
    "message": "Invalid params",
    "data": {"details": "At least one specified target is invalid."},
}

BAD_GATEWAY_PAGE = (
    b"<html><head><title>502 Bad Gateway</title>"
    b"<script>var hidden = 'script text';</script></head>"
    b"<body><h1>Bad Gateway</h1><p>upstream &amp; proxy failed</p></body></html>"
)


def echo_result(request, result=True):
    return {"id": request.json()["id"], "jsonrpc": "2.0", "result": result}


def single_attempt_connector(connection) -> Connector:
    """Return a Connector that sends each call once and does not pace calls.

    The default rate limiter is shared by the whole process and allows 5 blocklist changes a
    minute, so running every action in one test session would otherwise wait for minutes.
    """
    return Connector(connection, rate_limiting=False, retry_policy=RetryPolicy(max_attempts=1))


def run_action(connection, action_id, inputs):
    with single_attempt_connector(connection) as connector:
        return connector.run(action_id, inputs)


def run_expecting_failure(connection, action_id, inputs) -> ActionFailedError:
    with pytest.raises(ActionFailedError) as caught:
        run_action(connection, action_id, inputs)
    return caught.value


@pytest.mark.parametrize("action_id", ACTION_IDS)
def test_action_request_on_wire(action_id, recording_server, server_connection):
    assert server_connection["username"] == API_KEY

    run_action(server_connection, action_id, restored_example(action_id))
    expected_path, expected_body = EXPECTED_REQUESTS[action_id]

    assert len(recording_server.requests) == 1
    request = recording_server.requests[0]
    assert request.method == "POST"
    assert request.path == expected_path
    assert request.headers["Authorization"] == EXPECTED_AUTHORIZATION
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == expected_body


@pytest.mark.parametrize("action_id", ACTION_IDS)
def test_action_envelope_returned(action_id, recording_server, server_connection):
    envelope = run_action(server_connection, action_id, restored_example(action_id))
    _, expected_body = EXPECTED_REQUESTS[action_id]

    assert envelope["status_code"] == 200
    assert envelope["reason"] == "OK"
    assert envelope["response_headers"]["Content-Type"] == "application/json"
    assert envelope["json_body"] == {"id": expected_body["id"], "jsonrpc": "2.0", "result": True}


def test_authorization_header_literal(recording_server, server_connection):
    # base64 of "test-key-0f1e2d3c4b5a69788796a5b4c3d2e1f0:", written out as a literal.
    literal = "Basic dGVzdC1rZXktMGYxZTJkM2M0YjVhNjk3ODg3OTZhNWI0YzNkMmUxZjA6"

    run_action(server_connection, "isolate_host", restored_example("isolate_host"))

    assert recording_server.requests[0].headers["Authorization"] == literal


def test_envelope_keeps_custom_header(recording_server, server_connection):
    recording_server.respond(headers={"Content-Type": "application/json", "X-Trace-Id": "abc123"})

    envelope = run_action(server_connection, "isolate_host", restored_example("isolate_host"))

    assert envelope["response_headers"]["X-Trace-Id"] == "abc123"


def test_paged_result_returned(recording_server, server_connection, caplog):
    page = {
        "items": [
            {
                "id": "5b7ac19bb1a43dfb107b23c6",
                "hashType": 2,
                "hash": "f696282aa4cd4f614aa995190cf442fe",
                "source": 3,
                "sourceInfo": "Added from public API",
            }
        ],
        "page": 1,
        "pagesCount": 1,
        "perPage": 30,
        "total": 1,
    }
    recording_server.respond(
        body=lambda request: {"id": request.json()["id"], "jsonrpc": "2.0", "result": page}
    )

    with caplog.at_level(logging.WARNING, logger="bitdefender_connector"):
        envelope = run_action(
            server_connection, "get_block_list_items", restored_example("get_block_list_items")
        )

    assert envelope["json_body"]["result"] == page
    assert [r for r in caplog.records if "output schema" in r.getMessage()] == []


def test_output_mismatch_logs_warning(recording_server, server_connection, caplog):
    # A list action whose result is true instead of a page breaks the output schema.
    with caplog.at_level(logging.WARNING, logger="bitdefender_connector"):
        run_action(
            server_connection, "get_block_list_items", restored_example("get_block_list_items")
        )

    messages = [r.getMessage() for r in caplog.records if "output schema" in r.getMessage()]
    assert len(messages) >= 1
    assert "get_block_list_items" in messages[0]
    assert "0df7568c-59c1-48e0-a31b-18d83e6d9810" in messages[0]


def test_jsonrpc_error_in_200_fails(recording_server, server_connection):
    recording_server.respond(
        body=lambda request: {
            "id": request.json()["id"],
            "jsonrpc": "2.0",
            "error": INVALID_PARAMS_ERROR,
        }
    )

    error = run_expecting_failure(
        server_connection, "restore_quarantine_item", restored_example("restore_quarantine_item")
    )

    assert str(error) == (
        "restore_quarantine_item: GravityZone error -32602 (Invalid params): "
        "At least one specified target is invalid."
    )
    assert error.reason_code == "jsonrpc_error"
    assert error.exit_code == 1


def test_jsonrpc_error_keeps_envelope(recording_server, server_connection):
    recording_server.respond(
        body=lambda request: {
            "id": request.json()["id"],
            "jsonrpc": "2.0",
            "error": INVALID_PARAMS_ERROR,
        }
    )

    error = run_expecting_failure(
        server_connection, "restore_quarantine_item", restored_example("restore_quarantine_item")
    )

    assert error.envelope["status_code"] == 200
    assert error.envelope["reason"] == "OK"
    assert error.envelope["response_headers"]["Content-Type"] == "application/json"
    assert error.envelope["json_body"] == {
        "id": "5399c9b5-0b46-45e4-81aa-889952433d86",
        "jsonrpc": "2.0",
        "error": INVALID_PARAMS_ERROR,
    }


def test_jsonrpc_error_without_message(recording_server, server_connection):
    recording_server.respond(
        body=lambda request: {
            "id": request.json()["id"],
            "jsonrpc": "2.0",
            "error": {"code": -32601},
        }
    )

    error = run_expecting_failure(
        server_connection, "isolate_host", restored_example("isolate_host")
    )

    assert str(error) == "isolate_host: GravityZone error -32601 (Method not found)"


def test_result_false_fails(recording_server, server_connection):
    recording_server.respond(
        body=lambda request: {"id": request.json()["id"], "jsonrpc": "2.0", "result": False}
    )

    error = run_expecting_failure(
        server_connection, "isolate_host", restored_example("isolate_host")
    )

    assert error.reason_code == "result_false"
    assert "createIsolateEndpointTask" in str(error)
    assert error.envelope["json_body"]["result"] is False


def test_html_502_has_no_json_body(recording_server, server_connection):
    recording_server.respond(
        status=502, headers={"Content-Type": "text/html"}, body=BAD_GATEWAY_PAGE
    )

    error = run_expecting_failure(
        server_connection, "isolate_host", restored_example("isolate_host")
    )

    assert error.envelope["status_code"] == 502
    assert error.envelope["reason"] == "Bad Gateway"
    assert error.envelope["json_body"] is None
    assert error.reason_code == "server_error"


def test_html_502_excerpt_strips_tags(recording_server, server_connection):
    recording_server.respond(
        status=502, headers={"Content-Type": "text/html"}, body=BAD_GATEWAY_PAGE
    )

    error = run_expecting_failure(
        server_connection, "isolate_host", restored_example("isolate_host")
    )

    message = str(error)
    assert "'502 Bad Gateway Bad Gateway upstream & proxy failed'" in message
    assert "<" not in message
    assert "script text" not in message


def test_html_200_fails_not_json(recording_server, server_connection):
    recording_server.respond(
        headers={"Content-Type": "text/html"}, body=b"<html><body>Sign in</body></html>"
    )

    error = run_expecting_failure(
        server_connection, "isolate_host", restored_example("isolate_host")
    )

    assert error.reason_code == "not_json"
    assert error.envelope["json_body"] is None
    assert "'Sign in'" in str(error)


@pytest.mark.parametrize(
    "body", [b'{"id": "x", "jsonrpc": "2.0"}', b"[]", b'"true"', b'[{"result": true}]']
)
def test_json_not_jsonrpc_fails(body, recording_server, server_connection):
    recording_server.respond(body=body)

    error = run_expecting_failure(
        server_connection, "isolate_host", restored_example("isolate_host")
    )

    assert error.reason_code == "not_jsonrpc"


def test_slow_server_read_timeout(recording_server, server_connection):
    def answer_late(request):
        time.sleep(2)
        return echo_result(request)

    recording_server.respond(body=answer_late)
    connection = {**server_connection, "read_timeout": 0.2}

    with pytest.raises(NoResponseError) as caught:
        run_action(connection, "isolate_host", restored_example("isolate_host"))

    assert caught.value.reason_code == "read_timeout"
    assert caught.value.may_have_reached_server is True
    assert "check Control Center" in str(caught.value)


def test_response_id_mismatch_fails(recording_server, server_connection):
    recording_server.respond(
        body={"id": "11111111-2222-3333-4444-555555555555", "jsonrpc": "2.0", "result": True}
    )

    error = run_expecting_failure(
        server_connection, "isolate_host", restored_example("isolate_host")
    )

    assert error.reason_code == "id_mismatch"
    assert "11111111-2222-3333-4444-555555555555" in str(error)
    assert "0df7568c-59c1-48e0-a31b-18d83e6d9810" in str(error)


def test_unauthorized_401_fails(recording_server, server_connection):
    recording_server.respond(status=401, headers={"WWW-Authenticate": "Basic"}, body=b"")

    error = run_expecting_failure(
        server_connection, "isolate_host", restored_example("isolate_host")
    )

    assert error.reason_code == "unauthorized"
    assert API_KEY not in str(error)


def test_forbidden_403_names_area(recording_server, server_connection):
    recording_server.respond(status=403, body=b"")

    error = run_expecting_failure(
        server_connection, "remove_quarantine_items", restored_example("remove_quarantine_items")
    )

    assert error.reason_code == "forbidden"
    assert "Quarantine API area" in str(error)


def test_rate_limited_429_names_wait(recording_server, server_connection):
    recording_server.respond(
        status=429, headers={"Content-Type": "application/json", "Retry-After": "30"}, body=b"{}"
    )

    error = run_expecting_failure(
        server_connection, "update_block_list", restored_example("update_block_list")
    )

    assert error.reason_code == "rate_limited"
    assert "retry after 30 s" in str(error)


def test_redirect_not_followed(recording_server, server_connection):
    target = recording_server.url + "/elsewhere"
    recording_server.respond(status=302, headers={"Location": target}, body=b"")

    error = run_expecting_failure(
        server_connection, "isolate_host", restored_example("isolate_host")
    )

    assert error.envelope["status_code"] == 302
    assert error.reason_code == "redirect"
    assert repr(target) in str(error)
    assert len(recording_server.requests) == 1


def test_caller_id_sent_as_given(recording_server, server_connection):
    inputs = restored_example("isolate_host")
    inputs["json_body"]["id"] = "playbook-run-42"

    envelope = run_action(server_connection, "isolate_host", inputs)

    assert recording_server.requests[0].json()["id"] == "playbook-run-42"
    assert envelope["json_body"]["id"] == "playbook-run-42"


def test_missing_id_becomes_uuid(recording_server, server_connection):
    inputs = restored_example("isolate_host")
    del inputs["json_body"]["id"]

    envelope = run_action(server_connection, "isolate_host", inputs)

    sent_id = recording_server.requests[0].json()["id"]
    assert uuid.UUID(sent_id).version == 4
    assert envelope["json_body"]["id"] == sent_id


def test_fresh_uuid_per_call(recording_server, server_connection):
    inputs = restored_example("isolate_host")
    del inputs["json_body"]["id"]

    with single_attempt_connector(server_connection) as connector:
        connector.run("isolate_host", inputs)
        connector.run("isolate_host", inputs)

    first, second = (request.json()["id"] for request in recording_server.requests)
    assert first != second


UNTOUCHED_TEXTS = [
    "C:\\Users\\Public\\Downloads\\setup.exe",
    "\\\\fileserver\\share$\\tools\\psexec.exe",
    "C:\\Temp\\say \"hello\" 'there'.bat",
    "C:\\Users\\José\\Documents\\Résumé – 履歴書.pdf",
    "/home/user/😀 emoji.sh",
    "{{ 7*7 }}",
    "C:\\{{ config.items() }}\\x.exe",
    "{% if true %}yes{% endif %}",
    "{# comment #}${HOME}%PATH%$(id)`id`",
    "tab\there\nnewline\r\nend\u0000nul",
]


@pytest.mark.parametrize("text", UNTOUCHED_TEXTS)
def test_file_path_untouched(text, recording_server, server_connection):
    inputs = restored_example("add_file_to_quarantine")
    inputs["json_body"]["params"]["filePath"] = text

    run_action(server_connection, "add_file_to_quarantine", inputs)

    assert recording_server.requests[0].json()["params"]["filePath"] == text


@pytest.mark.parametrize("text", UNTOUCHED_TEXTS)
def test_source_info_untouched(text, recording_server, server_connection):
    inputs = restored_example("update_block_list")
    inputs["json_body"]["params"]["sourceInfo"] = text

    run_action(server_connection, "update_block_list", inputs)

    assert recording_server.requests[0].json()["params"]["sourceInfo"] == text


def test_non_ascii_sent_as_utf8(recording_server, server_connection):
    inputs = restored_example("add_file_to_quarantine")
    inputs["json_body"]["params"]["filePath"] = "C:\\Temp\\Résumé.pdf"

    run_action(server_connection, "add_file_to_quarantine", inputs)

    body = recording_server.requests[0].body
    assert json.loads(body.decode("utf-8"))["params"]["filePath"] == "C:\\Temp\\Résumé.pdf"


def test_input_not_mutated(recording_server, server_connection):
    inputs = restored_example("create_rule")
    before = json.dumps(inputs, sort_keys=True)

    run_action(server_connection, "create_rule", inputs)

    assert json.dumps(inputs, sort_keys=True) == before
