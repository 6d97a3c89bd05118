"""Cases a new user found: odd settings, encodings, server replies and long page walks."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading

import pytest
import requests

from bitdefender_connector import (
    ActionFailedError,
    ConfigurationError,
    Connector,
    InputError,
    NoResponseError,
    page_walker,
)
from bitdefender_connector import connection as connection_module
from bitdefender_connector.connection import connection_from_mapping
from bitdefender_connector.retry_policy import RetryPolicy
from bitdefender_connector.transport import Transport

from .conftest import TEST_API_KEY
from .test_cli import REPOSITORY_ROOT, run_cli
from .test_spec_examples import restored_example

ISOLATE_INPUT = json.dumps({"json_body": {"params": {"endpointId": "5b680f6fb1a43d860a7b23c1"}}})


def connector_for(connection):
    return Connector(connection, rate_limiting=False, retry_policy=RetryPolicy(max_attempts=1))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), True, 0, -1, 3601, "soon"])
def test_read_timeout_rejected(value):
    with pytest.raises(ConfigurationError) as caught:
        connection_from_mapping(
            {"url": "https://127.0.0.1", "username": "k", "read_timeout": value}
        )
    assert "read_timeout" in str(caught.value)


def test_read_timeout_nan_sends_nothing(recording_server, tmp_path):
    config = tmp_path / "gz.yaml"
    config.write_text(
        f"url: {recording_server.url}\nusername: {TEST_API_KEY}\nread_timeout: .nan\n"
    )
    completed = run_cli("run", "isolate_host", "--input", ISOLATE_INPUT, "--config", str(config))
    assert completed.returncode == 2
    assert json.loads(completed.stdout)["error"]["type"] == "invalid_configuration"
    assert recording_server.requests == []


def test_ascii_stdout_keeps_output(recording_server, tmp_path):
    reply = {"id": "r-1", "jsonrpc": "2.0", "result": True, "note": "Prüfung ✓"}
    recording_server.respond(body=lambda request: {**reply, "id": request.json()["id"]})
    completed = run_cli(
        "run",
        "isolate_host",
        "--input",
        ISOLATE_INPUT,
        "--no-rate-limit",
        environment={
            "BITDEFENDER_URL": recording_server.url,
            "BITDEFENDER_API_KEY": TEST_API_KEY,
            "PYTHONIOENCODING": "ascii",
        },
    )
    assert completed.returncode == 0
    assert json.loads(completed.stdout)["json_body"]["note"] == "Prüfung ✓"


def test_failure_stdout_names_error(recording_server):
    recording_server.respond(
        body=lambda request: {"id": "someone-else", "jsonrpc": "2.0", "result": True}
    )
    completed = run_cli(
        "run",
        "isolate_host",
        "--input",
        ISOLATE_INPUT,
        "--no-rate-limit",
        environment={"BITDEFENDER_URL": recording_server.url, "BITDEFENDER_API_KEY": TEST_API_KEY},
    )
    output = json.loads(completed.stdout)
    assert completed.returncode == 1
    assert output["status_code"] == 200
    assert output["error"]["reason_code"] == "id_mismatch"
    assert "does not match the request id" in output["error"]["message"]


def test_lone_surrogate_rejected_with_path():
    inputs = restored_example("quarantine_file")
    inputs["json_body"]["params"]["filePath"] = "C:\\temp\\caf\udce9.exe"
    with pytest.raises(InputError) as caught:
        Connector({}).run("quarantine_file", inputs, dry_run=True)
    assert caught.value.errors[0].path == "json_body.params.filePath"


def test_stdin_latin1_rejected():
    completed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "-m", "bitdefender_connector", "run", "quarantine_file", "--input", "-"],
        input=b'{"json_body": {"params": {"filePath": "caf\xe9"}}}',
        capture_output=True,
        cwd=REPOSITORY_ROOT,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "not UTF-8 text" in json.loads(completed.stdout)["error"]["message"]


def test_input_file_with_bom(tmp_path):
    path = tmp_path / "input.json"
    path.write_bytes(b"\xef\xbb\xbf" + ISOLATE_INPUT.encode())
    completed = run_cli("run", "isolate_host", "--input", f"@{path}", "--dry-run")
    assert completed.returncode == 0


def test_config_file_wins_over_environment(recording_server, tmp_path):
    config = tmp_path / "gz.yaml"
    config.write_text(f"url: {recording_server.url}\n")
    completed = run_cli(
        "run",
        "isolate_host",
        "--input",
        ISOLATE_INPUT,
        "--config",
        str(config),
        "--no-rate-limit",
        environment={"BITDEFENDER_URL": "https://127.0.0.1:9", "BITDEFENDER_API_KEY": TEST_API_KEY},
    )
    assert completed.returncode == 0
    assert len(recording_server.requests) == 1


def test_dry_run_warns_missing_settings(caplog, monkeypatch):
    monkeypatch.setattr(connection_module, "_warnings_given", set())
    with caplog.at_level(logging.WARNING, logger="bitdefender_connector"):
        Connector({}).run("get_rules", restored_example("get_rules"), dry_run=True)
    messages = " ".join(record.getMessage() for record in caplog.records)
    assert "No url is configured" in messages
    assert "No API key is configured" in messages


def test_page_walk_stops_at_page_cap(recording_server, server_connection, monkeypatch):
    monkeypatch.setattr(page_walker, "MAX_PAGES", 3)

    def endless_page(request):
        page = request.json()["params"]["page"]
        items = [{"id": f"{page:024x}", "hash": "0" * 32, "hashType": 2}]
        result = {"total": 10**9, "page": page, "perPage": 1, "pagesCount": 10**9, "items": items}
        return {"id": request.json()["id"], "jsonrpc": "2.0", "result": result}

    recording_server.respond(body=endless_page)
    envelope = connector_for(server_connection).run(
        "get_block_list_items", {"json_body": {"params": {"perPage": 1}}}, all_pages=True
    )
    assert envelope["json_body"]["result"]["pages"] == 3
    assert len(recording_server.requests) == 3


@pytest.fixture
def truncating_server():
    """Serve one reply on 127.0.0.1 whose Content-Length promises more bytes than it sends."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    received = []

    def serve_once():
        connection, _ = listener.accept()
        with connection:
            received.append(connection.recv(65536))
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: 500\r\n\r\n" + b'{"id": "cut'
            )

    thread = threading.Thread(target=serve_once, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", received
    thread.join(timeout=5)
    listener.close()


def test_truncated_body_may_have_been_processed(truncating_server):
    url, received = truncating_server
    with pytest.raises(NoResponseError) as caught:
        connector_for({"url": url, "username": TEST_API_KEY}).run(
            "isolate_host", restored_example("isolate_host")
        )
    assert caught.value.reason_code == "incomplete_response"
    assert "may have been processed" in str(caught.value)
    assert len(received) == 1


def test_socks_proxy_without_pysocks_named():
    connection = connection_from_mapping(
        {"url": "https://127.0.0.1:9", "username": "k", "http_proxy": "socks5://127.0.0.1:9"}
    )
    transport = Transport(connection, 1, 1)
    failure = transport._describe_failure(
        requests.exceptions.InvalidSchema("Missing dependencies for SOCKS support.")
    )
    assert failure.reason_code == "proxy_error"
    assert "PySocks" in str(failure)


def test_proxy_from_environment_named():
    connection = connection_from_mapping({"url": "https://127.0.0.1:9", "username": "k"})
    transport = Transport(connection, 1, 1)
    failure = transport._describe_failure(requests.exceptions.ProxyError("refused"))
    assert "HTTP(S)_PROXY environment variables" in str(failure)


def test_echoed_key_masked_in_message(recording_server, server_connection):
    page = f"<html><body>Blocked request with key {TEST_API_KEY}</body></html>".encode()
    recording_server.respond(status=502, headers={"Content-Type": "text/html"}, body=page)
    with pytest.raises(ActionFailedError) as caught:
        connector_for(server_connection).run("isolate_host", restored_example("isolate_host"))
    assert TEST_API_KEY not in str(caught.value)
    assert "********" in str(caught.value)


@pytest.mark.parametrize("empty", [{}, None])
def test_empty_path_parameters_dropped(empty):
    inputs = {**restored_example("isolate_host"), "path_parameters": empty}
    request = Connector({}).run("isolate_host", inputs, dry_run=True)["request"]
    assert request["url"].endswith("/api/v1.0/jsonrpc/incidents")


def test_filled_path_parameters_still_rejected():
    inputs = {**restored_example("isolate_host"), "path_parameters": {"type": "computers"}}
    with pytest.raises(InputError) as caught:
        Connector({}).run("isolate_host", inputs, dry_run=True)
    assert caught.value.errors[0].path == "path_parameters"


@pytest.mark.parametrize("request_id", ["  ", "x\ny", " padded", "tab\tid"])
def test_request_id_unprintable_rejected(request_id):
    inputs = restored_example("isolate_host")
    inputs["json_body"]["id"] = request_id
    with pytest.raises(InputError) as caught:
        Connector({}).run("isolate_host", inputs, dry_run=True)
    assert caught.value.errors[0].path == "json_body.id"


def test_ipv6_proxy_masked_with_brackets():
    from bitdefender_connector.connection import mask_url_credentials

    assert mask_url_credentials("http://user:secret@[::1]:3128") == "http://********@[::1]:3128"


def test_control_characters_removed_from_message(recording_server, server_connection):
    def colored_error(request):
        error = {"code": -32602, "message": "Invalid params", "data": {"details": "\x1b[31mbad"}}
        return {"id": request.json()["id"], "jsonrpc": "2.0", "error": error}

    recording_server.respond(body=colored_error)
    with pytest.raises(ActionFailedError) as caught:
        connector_for(server_connection).run("isolate_host", restored_example("isolate_host"))
    assert "\x1b" not in str(caught.value)


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_max_retry_wait_not_finite_rejected(value):
    completed = run_cli("run", "get_rules", "--example", "--dry-run", "--max-retry-wait", value)
    assert completed.returncode == 2


@pytest.mark.parametrize(
    ("argv", "count"),
    [
        (["-v", "run", "get_rules", "--example"], 1),
        (["run", "get_rules", "--example", "-vv"], 2),
        (["run", "get_rules", "--example"], 0),
    ],
)
def test_verbose_before_or_after_subcommand(argv, count):
    from bitdefender_connector.cli import build_parser

    assert build_parser().parse_args(argv).verbose == count


def test_echoed_secrets_masked_in_envelope(recording_server, server_connection):
    password = "exchange-secret-77"

    def echo_everything(request):
        details = f"rejected {TEST_API_KEY} with password {password}"
        error = {"code": -32602, "message": "Invalid params", "data": {"details": details}}
        return {"id": request.json()["id"], "jsonrpc": "2.0", "error": error}

    recording_server.respond(body=echo_everything)
    inputs = restored_example("restore_quarantine_exchange_item")
    inputs["json_body"]["params"]["password"] = password
    with pytest.raises(ActionFailedError) as caught:
        connector_for(server_connection).run("restore_quarantine_exchange_item", inputs)
    shown = str(caught.value) + json.dumps(caught.value.envelope)
    assert TEST_API_KEY not in shown
    assert password not in shown
    assert "********" in caught.value.envelope["json_body"]["error"]["data"]["details"]


def test_prepared_request_repr_hides_body():
    from bitdefender_connector.request_builder import build_request

    inputs = restored_example("restore_quarantine_exchange_item")
    connection = connection_from_mapping({"url": "https://127.0.0.1", "username": "key-1234"})
    action = Connector({}).action("restore_quarantine_exchange_item")
    prepared = build_request(action, inputs, connection)
    assert "userpassword" not in repr(prepared)


def test_all_pages_drops_empty_path_parameters():
    inputs = {"json_body": {"params": {}}, "path_parameters": {}}
    output = Connector({}).run("get_rules", inputs, dry_run=True, all_pages=True)
    assert output["request"]["url"].endswith("/api/v1.0/jsonrpc/incidents")


def test_unreachable_network_not_called_refused():
    import errno

    import urllib3

    connection = connection_from_mapping({"url": "https://127.0.0.1:9", "username": "k"})
    cause = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection")
    cause.__cause__ = OSError(errno.ENETUNREACH, "Network is unreachable")
    error = requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", cause))

    failure = Transport(connection, 1, 1)._describe_failure(error)

    assert failure.reason_code == "connection_failed"
    assert "Network is unreachable" in str(failure)
    assert failure.may_have_reached_server is False
