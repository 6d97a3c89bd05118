"""Failure modes against the emulator's fault injection: exit code, message and requests sent.

A task or configuration action that got a 500 or a timeout must have been sent exactly once,
because GravityZone may have created the task. 429 and 503 mean the call was not processed, so
they are retried for every action. Waits go to a list instead of sleeping.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import select
import socket
import socketserver
import threading
import warnings
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
import urllib3

from bitdefender_connector import (
    ActionFailedError,
    ConfigurationError,
    Connector,
    NoResponseError,
)
from bitdefender_connector import connection as connection_module
from bitdefender_connector.emulator import Emulator, Fault
from bitdefender_connector.manifest import load_manifest
from bitdefender_connector.retry_policy import RetryPolicy

from .conftest import PROXY_ENVIRONMENT_VARIABLES
from .test_spec_examples import restored_example

INCIDENTS_ONLY_KEY = "incidents-only-key-4d3c2b1a0f9e8d7c"
QUARANTINE_ONLY_KEY = "quarantine-only-key-9a8b7c6d5e4f3a2b"
UNKNOWN_KEY = "unknown-key-0a1b2c3d4e5f6a7b8c9d"
PROXY_USER = "proxy-user"
PROXY_PASSWORD = "proxy-Pa55-w0rd"
ISOLATE_REQUEST_ID = "0df7568c-59c1-48e0-a31b-18d83e6d9810"
EMULATOR_500_TEXT = "'500 Internal Server Error 500 Internal Server Error GravityZone API emulator'"


def closed_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def no_proxy_environment(monkeypatch):
    for name in (*PROXY_ENVIRONMENT_VARIABLES, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def emulator(no_proxy_environment) -> Iterator[Emulator]:
    with Emulator(rate_limits=False) as running:
        running.add_api_key(INCIDENTS_ONLY_KEY, {"incidents"})
        running.add_api_key(QUARANTINE_ONLY_KEY, {"quarantine"})
        yield running


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make_connector(settings: dict[str, Any], sleeps: list[float], **policy: Any) -> Connector:
    return Connector(
        settings,
        rate_limiting=False,
        retry_policy=RetryPolicy(**policy),
        sleep=sleeps.append,
    )


def emulator_connector(emulator, sleeps, api_key=None, **policy) -> Connector:
    settings = {"url": emulator.access_url, "username": api_key or emulator.api_key}
    return make_connector(settings, sleeps, **policy)


def run_failing(connector, action_id, error_type=ActionFailedError, inputs=None):
    """Run the action's restored example, expect ``error_type`` and return it."""
    with connector, pytest.raises(error_type) as caught:
        connector.run(action_id, inputs or restored_example(action_id))
    return caught.value


def run_ok(connector, action_id, inputs=None):
    with connector:
        return connector.run(action_id, inputs or restored_example(action_id))


# JSON-RPC errors with HTTP 200


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (
            Fault.JSONRPC_ERROR,
            "restore_quarantine_item: GravityZone error -32602 (Invalid params): "
            "At least one specified target is invalid.",
        ),
        (
            Fault.JSONRPC_ERROR_DATA_STRING,
            "restore_quarantine_item: GravityZone error -32602 (Invalid params): "
            "At least one specified target is invalid.",
        ),
        (
            Fault.JSONRPC_ERROR_DATA_LIST,
            "restore_quarantine_item: GravityZone error -32602 (Invalid params): "
            "At least one specified target is invalid.",
        ),
    ],
)
def test_jsonrpc_error_data_shapes(fault, expected, emulator, sleeps):
    emulator.inject_fault(
        fault,
        code=-32602,
        message="Invalid params",
        details="At least one specified target is invalid.",
    )

    error = run_failing(emulator_connector(emulator, sleeps), "restore_quarantine_item")

    assert str(error) == expected
    assert error.exit_code == 1
    assert error.reason_code == "jsonrpc_error"
    assert error.envelope["status_code"] == 200
    assert len(emulator.requests) == 1


def test_jsonrpc_error_without_data(emulator, sleeps):
    emulator.inject_fault(Fault.JSONRPC_ERROR_NO_DATA, code=-32000, message="Server error")

    error = run_failing(emulator_connector(emulator, sleeps), "get_rules")

    assert str(error) == "get_rules: GravityZone error -32000 (Server error)"
    assert error.exit_code == 1
    assert len(emulator.requests) == 1


def test_jsonrpc_error_from_dispatch(emulator, sleeps):
    inputs = restored_example("delete_rule")
    inputs["json_body"]["params"]["ruleId"] = "aaaaaaaaaaaaaaaaaaaaaaaa"

    error = run_failing(emulator_connector(emulator, sleeps), "delete_rule", inputs=inputs)

    assert str(error).startswith("delete_rule: GravityZone error -32602 (Invalid params): ")
    assert error.exit_code == 1
    assert len(emulator.requests) == 1


# HTTP statuses


def test_401_names_api_key(emulator, sleeps):
    connector = emulator_connector(emulator, sleeps, api_key=UNKNOWN_KEY)

    error = run_failing(connector, "isolate_host")

    assert str(error).startswith(
        "isolate_host: HTTP 401 Unauthorized: GravityZone rejected the API key. Check username"
    )
    assert UNKNOWN_KEY not in str(error)
    assert error.exit_code == 1
    assert error.reason_code == "unauthorized"
    assert len(emulator.requests) == 1


@pytest.mark.parametrize(
    ("api_key", "action_id", "area"),
    [
        (INCIDENTS_ONLY_KEY, "remove_quarantine_items", "Quarantine"),
        (INCIDENTS_ONLY_KEY, "get_quarantine_items", "Quarantine"),
        (QUARANTINE_ONLY_KEY, "isolate_host", "Incidents"),
        (QUARANTINE_ONLY_KEY, "update_block_list", "Incidents"),
    ],
)
def test_403_names_area_and_action(api_key, action_id, area, emulator, sleeps):
    error = run_failing(emulator_connector(emulator, sleeps, api_key=api_key), action_id)

    assert f"{action_id}: HTTP 403 Forbidden: " in str(error)
    assert f"the API key lacks the {area} API area that {action_id} needs" in str(error)
    assert f"enable {area} for this key" in str(error)
    assert error.exit_code == 1
    assert error.reason_code == "forbidden"
    assert len(emulator.requests) == 1


def test_405_says_post_only(emulator, sleeps):
    # A proxy that rewrites the method is the realistic cause; here the action itself uses GET.
    manifest = load_manifest()
    action = dataclasses.replace(manifest.action("get_rules"), http_method="GET")
    changed = dataclasses.replace(manifest, actions={**manifest.actions, "get_rules": action})
    connector = Connector(
        {"url": emulator.access_url, "username": emulator.api_key},
        manifest=changed,
        rate_limiting=False,
        sleep=sleeps.append,
    )

    error = run_failing(connector, "get_rules")

    assert "get_rules: HTTP 405 Method Not Allowed: the endpoint accepts only POST" in str(error)
    assert error.exit_code == 1
    assert error.reason_code == "method_not_allowed"
    assert [request.http_method for request in emulator.requests] == ["GET"]


# 429 and 503: not processed, so retried for every action


@pytest.mark.parametrize("action_id", ["isolate_host", "update_block_list", "get_rules"])
def test_429_retried_then_succeeds(action_id, emulator, sleeps):
    emulator.inject_fault(Fault.HTTP_429, count=2, retry_after=3)

    envelope = run_ok(emulator_connector(emulator, sleeps), action_id)

    assert envelope["status_code"] == 200
    assert len(emulator.requests) == 3
    assert sleeps == [3.0, 3.0]


def test_429_exhausted_names_wait(emulator, sleeps):
    emulator.inject_fault(Fault.HTTP_429, count=10, retry_after=3)

    error = run_failing(emulator_connector(emulator, sleeps, max_attempts=3), "update_block_list")

    assert str(error) == (
        "update_block_list: HTTP 429 Too Many Requests: rate limited by GravityZone, retry "
        "after 3 s. GravityZone allows 5 calls per 60 s per API key to the methods of "
        "rate-limit class blocklist_rule_mutator, addToBlocklist among them"
    )
    assert error.exit_code == 1
    assert error.reason_code == "rate_limited"
    assert len(emulator.requests) == 3
    assert sleeps == [3.0, 3.0]


def test_429_http_date_honoured(emulator, sleeps):
    emulator.inject_fault(Fault.HTTP_429, retry_after="Wed, 21 Oct 2026 07:28:00 GMT")
    connector = Connector(
        {"url": emulator.access_url, "username": emulator.api_key},
        rate_limiting=False,
        sleep=sleeps.append,
        now=lambda: datetime(2026, 10, 21, 7, 27, 30, tzinfo=timezone.utc),
    )

    run_ok(connector, "isolate_host")

    assert len(emulator.requests) == 2
    assert sleeps == [30.0]


def test_429_total_wait_capped(emulator, sleeps):
    # One wait of 40 s fits in 60 s; a second would make 80 s, so the call gives up.
    emulator.inject_fault(Fault.HTTP_429, count=5, retry_after=40)

    error = run_failing(emulator_connector(emulator, sleeps), "isolate_host")

    assert "retry after 40 s" in str(error)
    assert error.exit_code == 1
    assert len(emulator.requests) == 2
    assert sleeps == [40.0]


def test_429_cap_configurable(emulator, sleeps):
    emulator.inject_fault(Fault.HTTP_429, count=5, retry_after=40)

    error = run_failing(emulator_connector(emulator, sleeps, max_total_wait=30), "isolate_host")

    assert error.reason_code == "rate_limited"
    assert len(emulator.requests) == 1
    assert sleeps == []


def test_429_retry_logged(emulator, sleeps, caplog):
    emulator.inject_fault(Fault.HTTP_429, retry_after=2)

    with caplog.at_level(logging.WARNING, logger="bitdefender_connector.retry_policy"):
        run_ok(emulator_connector(emulator, sleeps), "isolate_host")

    retry_records = [r for r in caplog.records if r.name == "bitdefender_connector.retry_policy"]
    assert [record.getMessage() for record in retry_records] == [
        "Retrying isolate_host (JSON-RPC method createIsolateEndpointTask, request id "
        f"{ISOLATE_REQUEST_ID}) after HTTP 429: attempt 2 of 4 in 2.0 s"
    ]


@pytest.mark.parametrize("action_id", ["isolate_host", "delete_rule"])
def test_503_retried_for_change(action_id, emulator, sleeps):
    emulator.inject_fault(Fault.HTTP_503, retry_after=2)

    envelope = run_ok(emulator_connector(emulator, sleeps), action_id)

    assert envelope["json_body"]["result"] is True
    assert len(emulator.requests) == 2
    assert sleeps == [2.0]


def test_503_without_header_backs_off(emulator, sleeps):
    emulator.inject_fault(Fault.HTTP_503, count=2)

    run_ok(emulator_connector(emulator, sleeps), "isolate_host")

    assert len(emulator.requests) == 3
    assert sleeps == [1.0, 2.0]


# Other 5xx: sent once for tasks and changes, retried for reads


@pytest.mark.parametrize("action_id", ["isolate_host", "restore_quarantine_item"])
def test_500_task_sent_once(action_id, emulator, sleeps):
    emulator.inject_fault(Fault.HTTP_500_HTML, count=3)

    error = run_failing(emulator_connector(emulator, sleeps), action_id)

    assert str(error).startswith(
        f"{action_id}: HTTP 500 Internal Server Error: the GravityZone service or a proxy in "
        f"front of it failed: {EMULATOR_500_TEXT}. "
    )
    assert "check in Control Center whether the task was created" in str(error)
    assert error.exit_code == 1
    assert error.envelope["json_body"] is None
    assert len(emulator.requests) == 1
    assert sleeps == []


def test_502_config_sent_once(emulator, sleeps):
    emulator.inject_fault(Fault.HTTP_502_HTML, count=3)

    error = run_failing(emulator_connector(emulator, sleeps), "update_block_list")

    assert "update_block_list: HTTP 502 Bad Gateway: " in str(error)
    assert "'502 Bad Gateway 502 Bad Gateway GravityZone API emulator'" in str(error)
    assert error.exit_code == 1
    assert len(emulator.requests) == 1


def test_500_read_retried(emulator, sleeps):
    emulator.inject_fault(Fault.HTTP_500_HTML)
    emulator.inject_fault(Fault.HTTP_502_HTML)

    envelope = run_ok(emulator_connector(emulator, sleeps), "get_block_list_items")

    assert envelope["status_code"] == 200
    assert len(emulator.requests) == 3
    assert sleeps == [1.0, 2.0]


def test_500_read_exhausted(emulator, sleeps):
    emulator.inject_fault(Fault.HTTP_500_HTML, count=10)

    error = run_failing(emulator_connector(emulator, sleeps), "get_quarantine_items")

    assert error.reason_code == "server_error"
    assert error.exit_code == 1
    assert len(emulator.requests) == 4
    assert sleeps == [1.0, 2.0, 4.0]


# Bodies that are not JSON


@pytest.mark.parametrize(
    ("fault", "status", "reason", "expected"),
    [
        (
            Fault.EMPTY_200,
            200,
            "OK",
            "isolate_host: the response is not JSON (HTTP 200, empty body).",
        ),
        (
            Fault.HTTP_204,
            204,
            "No Content",
            "isolate_host: the response is not JSON (HTTP 204, empty body).",
        ),
    ],
)
def test_empty_body_fails(fault, status, reason, expected, emulator, sleeps):
    emulator.inject_fault(fault)

    error = run_failing(emulator_connector(emulator, sleeps), "isolate_host")

    assert str(error).startswith(expected)
    assert error.exit_code == 1
    assert error.reason_code == "not_json"
    assert error.envelope["status_code"] == status
    assert error.envelope["reason"] == reason
    assert error.envelope["json_body"] is None
    assert len(emulator.requests) == 1


def test_truncated_json_fails(emulator, sleeps):
    emulator.inject_fault(Fault.TRUNCATED_JSON)

    error = run_failing(emulator_connector(emulator, sleeps), "get_rules")

    assert str(error).startswith("get_rules: the response is not JSON (HTTP 200, application/json)")
    assert '\'{"id":"0df7568c-59c1-48e0-a31b-18d83e6d9810"' in str(error)
    assert error.exit_code == 1
    assert error.envelope["json_body"] is None
    assert len(emulator.requests) == 1


def test_plain_text_excerpt(emulator, sleeps):
    # The emulator returns for a wrong path a plain-text 404, as a web server would.
    manifest = load_manifest()
    action = manifest.action("get_rules")
    moved = dataclasses.replace(action, endpoint=type(action.endpoint)("api/v1.0/jsonrpc/nowhere"))
    changed = dataclasses.replace(manifest, actions={**manifest.actions, "get_rules": moved})
    connector = Connector(
        {"url": emulator.access_url, "username": emulator.api_key},
        manifest=changed,
        rate_limiting=False,
        sleep=sleeps.append,
    )

    error = run_failing(connector, "get_rules")

    assert str(error) == (
        "get_rules: HTTP 404 Not Found: no JSON-RPC endpoint at this path: "
        "'404 Not Found: no JSON-RPC service at /api/v1.0/jsonrpc/nowhere'. Check that url is "
        "the API access URL, which ends in /api, and that no proxy rewrites the path"
    )
    assert error.envelope["json_body"] is None
    assert len(emulator.requests) == 1


def test_wrong_response_id_flagged(emulator, sleeps):
    emulator.inject_fault(Fault.WRONG_ID, response_id="someone-else")

    error = run_failing(emulator_connector(emulator, sleeps), "isolate_host")

    assert str(error).startswith(
        "isolate_host: the response id 'someone-else' does not match the request id "
        f"'{ISOLATE_REQUEST_ID}'"
    )
    assert error.exit_code == 1
    assert error.reason_code == "id_mismatch"
    assert len(emulator.requests) == 1


# No response: timeouts and dropped connections


def slow_connector(emulator, sleeps) -> Connector:
    settings = {
        "url": emulator.access_url,
        "username": emulator.api_key,
        "read_timeout": 0.2,
    }
    return make_connector(settings, sleeps)


@pytest.mark.parametrize("action_id", ["isolate_host", "update_block_list"])
def test_read_timeout_sent_once(action_id, emulator, sleeps):
    emulator.inject_fault(Fault.DELAY, count=3, seconds=30)

    error = run_failing(slow_connector(emulator, sleeps), action_id, NoResponseError)

    assert str(error) == (
        f"{emulator.access_url.split('/')[2]} sent no response within 0.2 s. The request may "
        "have been processed: check Control Center before running a task action again"
    )
    assert error.exit_code == 3
    assert error.reason_code == "read_timeout"
    assert len(emulator.requests) == 1
    assert sleeps == []


def test_read_timeout_read_retried(emulator, sleeps):
    emulator.inject_fault(Fault.DELAY, seconds=30)

    envelope = run_ok(slow_connector(emulator, sleeps), "get_block_list_items")

    assert envelope["status_code"] == 200
    assert len(emulator.requests) == 2
    assert sleeps == [1.0]


def test_dropped_connection_task_sent_once(emulator, sleeps):
    emulator.inject_fault(Fault.DROP_CONNECTION, count=3)

    error = run_failing(emulator_connector(emulator, sleeps), "isolate_host", NoResponseError)

    assert "closed before a response arrived. The request may have been processed" in str(error)
    assert error.exit_code == 3
    assert error.reason_code == "connection_closed"
    assert len(emulator.requests) == 1


def test_dropped_connection_read_retried(emulator, sleeps):
    emulator.inject_fault(Fault.DROP_CONNECTION)

    run_ok(emulator_connector(emulator, sleeps), "get_rules")

    assert len(emulator.requests) == 2


# No response: failures before the request is sent, retried for every action


def test_refused_retried_then_fails(no_proxy_environment, sleeps):
    port = closed_port()
    connector = make_connector({"url": f"http://127.0.0.1:{port}", "username": "k"}, sleeps)

    error = run_failing(connector, "isolate_host", NoResponseError)

    assert str(error) == (
        f"The connection to 127.0.0.1:{port} was refused. Check the url's host and port and "
        "that the service is running"
    )
    assert error.exit_code == 3
    assert error.reason_code == "connection_refused"
    assert sleeps == [1.0, 2.0, 4.0]


def test_dns_failure_retried_then_fails(no_proxy_environment, sleeps, monkeypatch):
    # The lookup is resolved here, so no query leaves the machine.
    lookups: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def fail_for_invalid(host, *args, **kwargs):
        if str(host).endswith(".invalid"):
            lookups.append(host)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fail_for_invalid)
    connector = make_connector({"url": "gravityzone.invalid", "username": "k"}, sleeps)

    error = run_failing(connector, "update_block_list", NoResponseError)

    assert str(error) == (
        "The host name gravityzone.invalid could not be resolved. Check the url for typos and "
        "that DNS works from this machine"
    )
    assert error.exit_code == 3
    assert error.reason_code == "dns_error"
    assert lookups == ["gravityzone.invalid"] * 4
    assert sleeps == [1.0, 2.0, 4.0]


def test_connect_timeout_retried(no_proxy_environment, sleeps, monkeypatch):
    attempts: list[object] = []

    def time_out(address, *args, **kwargs):
        attempts.append(address)
        raise TimeoutError("timed out")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", time_out)
    settings = {"url": "https://127.0.0.1:9", "username": "k", "connect_timeout": 3}

    error = run_failing(make_connector(settings, sleeps), "isolate_host", NoResponseError)

    assert str(error) == (
        "Connecting to 127.0.0.1:9 timed out after 3 s. Check the url, the network path and "
        "any firewall or proxy"
    )
    assert error.exit_code == 3
    assert error.reason_code == "connect_timeout"
    assert len(attempts) == 4


# TLS


@pytest.fixture
def tls_emulator(no_proxy_environment) -> Iterator[Emulator]:
    pytest.importorskip("trustme")
    with Emulator(tls=True, rate_limits=False) as running:
        yield running


def test_tls_failure_names_settings(tls_emulator, sleeps):
    settings = {"url": tls_emulator.access_url, "username": tls_emulator.api_key}

    error = run_failing(make_connector(settings, sleeps), "isolate_host", NoResponseError)

    assert str(error).startswith(f"TLS verification failed for {tls_emulator.access_url[8:-4]}")
    assert "set ca_bundle to that CA's PEM file" in str(error)
    assert "set verify_ssl to false only for a lab" in str(error)
    assert error.exit_code == 3
    assert error.reason_code == "tls_error"
    assert tls_emulator.requests == []


def test_ca_bundle_verifies(tls_emulator, sleeps):
    settings = {
        "url": tls_emulator.access_url,
        "username": tls_emulator.api_key,
        "ca_bundle": tls_emulator.ca_bundle_path,
    }

    envelope = run_ok(make_connector(settings, sleeps), "isolate_host")

    assert envelope["json_body"]["result"] is True


@pytest.fixture
def fresh_warnings(monkeypatch):
    """Forget the connection warnings already logged, because each is logged once per process."""
    monkeypatch.setattr(connection_module, "_warnings_given", set())


def test_verify_off_warns_once(tls_emulator, sleeps, caplog, fresh_warnings):
    settings = {"url": tls_emulator.access_url, "username": tls_emulator.api_key}
    settings["verify_ssl"] = "FALSE"

    with warnings.catch_warnings(record=True) as caught_warnings:
        warnings.simplefilter("always")
        with caplog.at_level(logging.WARNING, logger="bitdefender_connector"):
            with make_connector(settings, sleeps) as connector:
                for _ in range(3):
                    connector.run("get_rules", restored_example("get_rules"))

    messages = [record.getMessage() for record in caplog.records]
    assert messages.count("verify_ssl is off: the server's TLS certificate is not checked") == 1
    assert [str(item.message) for item in caught_warnings] == []
    assert len(tls_emulator.requests) == 3


def test_verify_never_a_path(tls_emulator, sleeps):
    settings = {
        "url": tls_emulator.access_url,
        "username": tls_emulator.api_key,
        "verify_ssl": tls_emulator.ca_bundle_path,
    }

    with pytest.raises(ConfigurationError) as caught:
        make_connector(settings, sleeps)

    assert "set ca_bundle to the PEM file's path instead" in str(caught.value)
    assert caught.value.exit_code == 2
    assert tls_emulator.requests == []


# Proxies


class ConnectProxy:
    """An HTTP CONNECT proxy on 127.0.0.1 that records each request head.

    With ``reject`` it returns 407. Otherwise it opens a tunnel, but only to 127.0.0.1.
    """

    def __init__(self, reject: bool = False) -> None:
        self.heads: list[str] = []
        self.reject = reject
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                try:
                    proxy._handle(self.request)
                except OSError:
                    pass  # the client or the emulator closed the connection mid-tunnel

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def header(self, index: int, name: str) -> str | None:
        for line in self.heads[index].split("\r\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None

    def _handle(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        text = head.split(b"\r\n\r\n")[0].decode("latin-1")
        self.heads.append(text)
        method, target, _ = text.split("\r\n")[0].split(" ", 2)
        host, _, port = target.rpartition(":")
        if self.reject or method != "CONNECT" or host != "127.0.0.1":
            client.sendall(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n'
            )
            return
        with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as upstream:
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self._relay(client, upstream)

    def _relay(self, client: socket.socket, upstream: socket.socket) -> None:
        sockets = [client, upstream]
        while True:
            readable, _, _ = select.select(sockets, [], [], 5)
            if not readable:
                return
            for source in readable:
                data = source.recv(65536)
                if not data:
                    return
                (upstream if source is client else client).sendall(data)


@pytest.fixture
def connect_proxy() -> Iterator[ConnectProxy]:
    proxy = ConnectProxy()
    proxy.start()
    yield proxy
    proxy.stop()


def proxied_settings(emulator, proxy_port) -> dict[str, Any]:
    return {
        "url": emulator.access_url,
        "username": emulator.api_key,
        "ca_bundle": emulator.ca_bundle_path,
        "http_proxy": f"{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{proxy_port}",
    }


def test_proxy_carries_https(tls_emulator, connect_proxy, sleeps):
    settings = proxied_settings(tls_emulator, connect_proxy.port)
    expected_credentials = base64.b64encode(f"{PROXY_USER}:{PROXY_PASSWORD}".encode()).decode()

    envelope = run_ok(make_connector(settings, sleeps), "isolate_host")

    assert envelope["json_body"]["result"] is True
    target = tls_emulator.access_url[8:-4]
    assert connect_proxy.heads[0].startswith(f"CONNECT {target} HTTP/1.")
    assert connect_proxy.header(0, "Proxy-Authorization") == f"Basic {expected_credentials}"
    assert len(tls_emulator.requests) == 1


def test_proxy_wins_over_environment(tls_emulator, connect_proxy, sleeps, monkeypatch):
    unused = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("HTTPS_PROXY", unused)
    monkeypatch.setenv("https_proxy", unused)
    monkeypatch.setenv("ALL_PROXY", unused)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")

    run_ok(make_connector(proxied_settings(tls_emulator, connect_proxy.port), sleeps), "get_rules")

    assert len(connect_proxy.heads) == 1
    assert len(tls_emulator.requests) == 1


def test_proxy_wins_for_http(emulator, sleeps, monkeypatch):
    # For an http:// access URL the request itself goes to the proxy, which answers 407 here.
    unused = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("HTTP_PROXY", unused)
    monkeypatch.setenv("http_proxy", unused)
    proxy = ConnectProxy(reject=True)
    proxy.start()
    settings = {
        "url": emulator.access_url,
        "username": emulator.api_key,
        "http_proxy": f"127.0.0.1:{proxy.port}",
    }
    try:
        error = run_failing(make_connector(settings, sleeps), "get_rules")
    finally:
        proxy.stop()

    assert error.envelope["status_code"] == 407
    assert proxy.heads[0].startswith(f"POST {emulator.access_url}/v1.0/jsonrpc/incidents HTTP/1.1")
    assert emulator.requests == []


def test_environment_proxy_used_without_setting(tls_emulator, connect_proxy, sleeps, monkeypatch):
    # Shows that the test above is meaningful: without http_proxy, HTTPS_PROXY is followed.
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{connect_proxy.port}")
    settings = {
        "url": tls_emulator.access_url,
        "username": tls_emulator.api_key,
        "ca_bundle": tls_emulator.ca_bundle_path,
    }

    run_ok(make_connector(settings, sleeps), "get_rules")

    assert len(connect_proxy.heads) == 1


def test_proxy_rejecting_credentials(tls_emulator, sleeps):
    proxy = ConnectProxy(reject=True)
    proxy.start()
    try:
        connector = make_connector(proxied_settings(tls_emulator, proxy.port), sleeps)
        error = run_failing(connector, "isolate_host", NoResponseError)
    finally:
        proxy.stop()

    assert str(error).startswith(
        f"The proxy http://********@127.0.0.1:{proxy.port} failed to connect to "
    )
    assert "Check http_proxy, the proxy's credentials" in str(error)
    assert PROXY_PASSWORD not in str(error)
    assert PROXY_USER not in str(error)
    assert error.exit_code == 3
    assert error.reason_code == "proxy_error"
    assert len(proxy.heads) == 4
    assert sleeps == [1.0, 2.0, 4.0]
    assert tls_emulator.requests == []


def test_refusing_proxy_masked(emulator, sleeps):
    port = closed_port()
    settings = {
        "url": emulator.access_url,
        "username": emulator.api_key,
        "http_proxy": f"http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{port}",
    }

    error = run_failing(make_connector(settings, sleeps), "update_block_list", NoResponseError)

    assert f"The proxy http://********@127.0.0.1:{port} failed" in str(error)
    assert PROXY_PASSWORD not in str(error)
    assert PROXY_PASSWORD not in repr(error)
    assert error.reason_code == "proxy_error"
    assert sleeps == [1.0, 2.0, 4.0]
    assert emulator.requests == []


# Successful results: what counts as success, and output schemas that allow it


@pytest.mark.parametrize(
    ("action_id", "result"),
    [
        ("isolate_host", True),
        ("isolate_host", None),
        ("isolate_host", ["6941bbc98ba450a5c10e5a16"]),
        ("restore_quarantine_item", ["6941bbc98ba450a5c10e5a16", "6941bbc98ba450a5c10e5a17"]),
        ("create_empty_quarantine", None),
        ("create_rule", "6372b7a3897aaa77ee021642"),
        ("update_block_list", True),
        ("remove_from_block_list", True),
    ],
)
def test_success_results(action_id, result, recording_server, server_connection, caplog):
    recording_server.respond(
        body=lambda request: {"id": request.json()["id"], "jsonrpc": "2.0", "result": result}
    )

    with caplog.at_level(logging.WARNING, logger="bitdefender_connector"):
        envelope = run_ok(make_connector(server_connection, []), action_id)

    assert envelope["json_body"]["result"] == result
    assert [r.getMessage() for r in caplog.records if "output schema" in r.getMessage()] == []


@pytest.mark.parametrize(
    "action_id", ["isolate_host", "update_block_list", "restore_quarantine_item"]
)
def test_result_false_fails(action_id, recording_server, server_connection):
    recording_server.respond(
        body=lambda request: {"id": request.json()["id"], "jsonrpc": "2.0", "result": False}
    )
    method = load_manifest().action(action_id).jsonrpc_method

    error = run_failing(make_connector(server_connection, []), action_id)

    assert str(error) == (
        f"{action_id}: GravityZone returned false for {method}, so the action was not "
        "performed. Check the target ids and their state in Control Center"
    )
    assert error.exit_code == 1
    assert len(recording_server.requests) == 1


@pytest.mark.parametrize(
    ("error_member", "expected"),
    [
        (
            {"code": -32602, "message": "Invalid params", "data": {"details": {"ids": [1]}}},
            ('GravityZone error -32602 (Invalid params): {"ids": [1]}'),
        ),
        (
            {"code": -32602, "message": "Invalid params", "data": {"reason": "x"}},
            ('GravityZone error -32602 (Invalid params): {"reason": "x"}'),
        ),
        (
            {"code": -32602, "message": "Invalid params", "data": ["a", "b"]},
            ("GravityZone error -32602 (Invalid params): a; b"),
        ),
        (
            {"code": -32602, "message": "Invalid params", "data": 7},
            ("GravityZone error -32602 (Invalid params): 7"),
        ),
        ({"code": -32602}, "GravityZone error -32602 (Invalid params)"),
        ({"code": [1], "message": "odd"}, "GravityZone error without a numeric code (odd)"),
        ({"code": {"a": 1}}, "GravityZone error without a numeric code (no message)"),
        ({}, "GravityZone error without a numeric code (no message)"),
        ("failed", "GravityZone error: failed"),
        ([1, 2], "GravityZone error: [1, 2]"),
    ],
)
def test_error_member_shapes(error_member, expected, recording_server, server_connection):
    recording_server.respond(
        body=lambda request: {"id": request.json()["id"], "jsonrpc": "2.0", "error": error_member}
    )

    error = run_failing(make_connector(server_connection, []), "isolate_host")

    assert str(error) == f"isolate_host: {expected}"
    assert error.reason_code == "jsonrpc_error"


def test_null_error_without_result_fails(recording_server, server_connection):
    recording_server.respond(
        body=lambda request: {"id": request.json()["id"], "jsonrpc": "2.0", "error": None}
    )

    error = run_failing(make_connector(server_connection, []), "isolate_host")

    assert error.reason_code == "not_jsonrpc"


@pytest.mark.parametrize(
    "body", [b"[" * 100000, b"\xff\xfe\x00garbage", b"plain text answer", b'{"id": "x", "res']
)
def test_unreadable_body_no_crash(body, recording_server, server_connection):
    recording_server.respond(headers={}, body=body)

    error = run_failing(make_connector(server_connection, []), "isolate_host")

    assert error.reason_code == "not_json"
    assert error.envelope["json_body"] is None


def test_body_without_content_type(recording_server, server_connection):
    recording_server.respond(headers={}, body=b"maintenance")

    error = run_failing(make_connector(server_connection, []), "isolate_host")

    assert str(error).startswith(
        "isolate_host: the response is not JSON (HTTP 200, no Content-Type): 'maintenance'."
    )


# Configuration that is rejected before anything is sent


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("abc\u200bdef", "contains U+200B at position 4"),
        ("abc def", "contains U+0020 at position 4"),
        ("abc:def", "contains U+003A at position 4"),
        ("abcdé", "contains U+00E9 at position 5"),
        ("abc\tdef", "contains U+0009 at position 4"),
    ],
)
def test_api_key_bad_character(key, expected, recording_server):
    with pytest.raises(ConfigurationError) as caught:
        run_ok(make_connector({"url": recording_server.url, "username": key}, []), "isolate_host")

    assert expected in str(caught.value)
    assert key not in str(caught.value)
    assert caught.value.exit_code == 2
    assert recording_server.requests == []


@pytest.mark.parametrize("value", ["on", "off", "enabled"])
def test_verify_ssl_word_rejected(value):
    with pytest.raises(ConfigurationError) as caught:
        Connector({"url": "https://127.0.0.1:8443", "verify_ssl": value})

    assert str(caught.value).startswith(
        f"verify_ssl must be true or false (or yes/no, 1/0), not {value!r}"
    )


def test_verify_ssl_long_value_hidden():
    pasted_key = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
    with pytest.raises(ConfigurationError) as caught:
        Connector({"url": "https://127.0.0.1:8443", "verify_ssl": pasted_key})

    assert pasted_key not in str(caught.value)
    assert "a value of 32 characters" in str(caught.value)


EXTRA_PARTS = "http_proxy must be scheme://[user:password@]host:port without a path"


@pytest.mark.parametrize(
    ("proxy", "expected_start"),
    [
        # The '#' ends the authority early, so "pa" becomes a port that is not a number.
        (
            f"http://{PROXY_USER}:pa#{PROXY_PASSWORD}@127.0.0.1:3128",
            "http_proxy is not a valid URL",
        ),
        (f"http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:3128/path", EXTRA_PARTS),
        (f"http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:3128?x=1", EXTRA_PARTS),
        (f"{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:3128#", EXTRA_PARTS),
    ],
)
def test_proxy_with_extra_parts_rejected(proxy, expected_start):
    with pytest.raises(ConfigurationError) as caught:
        Connector({"url": "https://127.0.0.1:8443", "http_proxy": proxy})

    assert str(caught.value).startswith(expected_start)
    assert PROXY_PASSWORD not in str(caught.value)
    assert PROXY_USER not in str(caught.value)


def test_yaml_error_hides_key(tmp_path):
    config = tmp_path / "gravityzone.yaml"
    config.write_text("url: https://127.0.0.1\nusername: SECRET-KEY-123: [\n", encoding="utf-8")

    with pytest.raises(ConfigurationError) as caught:
        connection_module.settings_from_file(config)

    assert str(caught.value) == (
        f"The config file {config} is not valid YAML or JSON: mapping values are not allowed "
        "here at line 2 column 25"
    )
