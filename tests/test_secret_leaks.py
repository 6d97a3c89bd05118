"""Known secrets never appear in anything the command line writes, for failing and good runs.

Each run is a separate `python -m bitdefender_connector -vv run ...` process against the
emulator on 127.0.0.1. Everything it writes to stdout and stderr is searched for each secret in
raw, base64 and URL-encoded form. The secrets contain '+', '/', '=' and '@' so that the three
forms differ.
"""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from bitdefender_connector import ConfigurationError, Connector, NoResponseError
from bitdefender_connector.connection import connection_from_mapping
from bitdefender_connector.emulator import Emulator, Fault

from .test_cli import run_cli
from .test_spec_examples import restored_example

API_KEY = "leak+Key/9f8e7d6c=5b4a@3210"
INCIDENTS_ONLY_KEY = "leak+Incidents/77aa=only@01"
UNKNOWN_KEY = "leak+Unknown/5566=key@9900"
EXCHANGE_PASSWORD = "Exch+ange/P4ss=w0rd@leak"
PROXY_USER = "leak+proxy/user"
PROXY_PASSWORD = "pr0xy+Pass/w0rd=@leak"
SECRETS = {
    "api_key": API_KEY,
    "incidents_key": INCIDENTS_ONLY_KEY,
    "unknown_key": UNKNOWN_KEY,
    "exchange_password": EXCHANGE_PASSWORD,
    "proxy_user": PROXY_USER,
    "proxy_password": PROXY_PASSWORD,
}
QUARANTINE_ITEM = "63896b87b7894d0f367b23c6"


def encoded_forms(secret: str) -> dict[str, str]:
    """Return the forms in which a secret could leak: raw, base64 and URL-encoded."""
    return {
        "raw": secret,
        "base64": base64.b64encode(secret.encode()).decode(),
        "base64 of secret and colon": base64.b64encode(f"{secret}:".encode()).decode(),
        "url-encoded": quote(secret, safe=""),
    }


def proxy_url(port: int) -> str:
    return f"http://{quote(PROXY_USER, safe='')}:{quote(PROXY_PASSWORD, safe='')}@127.0.0.1:{port}"


def closed_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def exchange_input(**params: Any) -> dict[str, Any]:
    base = {
        "quarantineItemsIds": [QUARANTINE_ITEM],
        "username": "administrator@corp.example",
        "password": EXCHANGE_PASSWORD,
    }
    return {"json_body": {"params": {**base, **params}}}


@dataclass
class Transcript:
    """What one command-line run wrote, and how it exited."""

    name: str
    expected_exit: int
    returncode: int
    stdout: str
    stderr: str


class Runner:
    """Runs the command line with a config file and records each transcript.

    A run with ``background`` goes to a thread pool. Runs that use injected faults must not be
    in the background, because a concurrent run could take their fault.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.transcripts: list[Transcript] = []
        self._pool = ThreadPoolExecutor(max_workers=8)
        self._pending: list[Future[Transcript]] = []

    def run(
        self,
        name: str,
        expected_exit: int,
        action_id: str,
        inputs: Any,
        settings: dict[str, Any] | None = None,
        options: tuple[str, ...] = (),
        environment: dict[str, str] | None = None,
        config_text: str | None = None,
        background: bool = False,
    ) -> None:
        arguments = ["-vv", "run", action_id, "--input", json.dumps(inputs), *options]
        if settings is not None or config_text is not None:
            config = self.directory / f"{name}.yaml"
            text = config_text if config_text is not None else json.dumps(settings)
            config.write_text(text, encoding="utf-8")
            arguments += ["--config", str(config)]
        future = self._pool.submit(self._run_cli, name, expected_exit, arguments, environment)
        if background:
            self._pending.append(future)
        else:
            self.transcripts.append(future.result())

    def finish(self) -> list[Transcript]:
        self.transcripts.extend(future.result() for future in self._pending)
        self._pool.shutdown()
        return self.transcripts

    @staticmethod
    def _run_cli(
        name: str, expected_exit: int, arguments: list[str], environment: dict[str, str] | None
    ) -> Transcript:
        completed = run_cli(*arguments, environment=environment)
        return Transcript(
            name, expected_exit, completed.returncode, completed.stdout, completed.stderr
        )


def record_runs(runner: Runner, emulator: Emulator, tls_emulator: Emulator | None) -> None:
    url = emulator.access_url
    good = {"url": url, "username": API_KEY}
    isolate = restored_example("isolate_host")

    # Runs with injected faults, one at a time.
    emulator.inject_fault(
        Fault.JSONRPC_ERROR, code=-32602, message="Invalid params", details="Item not found."
    )
    runner.run("jsonrpc error", 1, "restore_quarantine_exchange_item", exchange_input(), good)
    emulator.inject_fault(Fault.HTTP_429, retry_after=0)
    runner.run("retried 429", 0, "isolate_host", isolate, good)
    emulator.inject_fault(Fault.HTTP_429, count=2, retry_after=0)
    runner.run("exhausted 429", 1, "isolate_host", isolate, good, options=("--max-attempts", "2"))
    emulator.inject_fault(Fault.HTTP_500_HTML)
    runner.run("server error", 1, "isolate_host", isolate, good)
    emulator.inject_fault(Fault.DROP_CONNECTION)
    runner.run("dropped connection", 3, "isolate_host", isolate, good)

    # Runs without faults, in parallel.
    def background(name: str, expected_exit: int, action_id: str, inputs: Any, *args, **kwargs):
        runner.run(name, expected_exit, action_id, inputs, *args, background=True, **kwargs)

    background("success", 0, "isolate_host", isolate, good)
    background("unknown key 401", 1, "isolate_host", isolate, {"url": url, "username": UNKNOWN_KEY})
    background(
        "missing area 403",
        1,
        "get_quarantine_items",
        restored_example("get_quarantine_items"),
        {"url": url, "username": INCIDENTS_ONLY_KEY},
    )
    text_params = json.dumps(exchange_input()["json_body"]["params"])
    background(
        "exchange success",
        0,
        "restore_quarantine_exchange_item",
        {"json_body": {"params": text_params}},
        good,
    )
    background(
        "exchange dry run",
        0,
        "restore_quarantine_exchange_item",
        exchange_input(),
        good,
        options=("--dry-run",),
    )
    background(
        "exchange dry run from text",
        0,
        "restore_quarantine_exchange_item",
        {"json_body": {"params": text_params}},
        good,
        options=("--dry-run",),
    )
    background(
        "invalid input",
        2,
        "restore_quarantine_exchange_item",
        exchange_input(email="not-an-address", extra=EXCHANGE_PASSWORD),
        good,
    )
    background(
        "refusing proxy",
        3,
        "isolate_host",
        isolate,
        {**good, "http_proxy": proxy_url(closed_port())},
        options=("--max-attempts", "1"),
    )
    background(
        "proxy from environment",
        3,
        "get_rules",
        restored_example("get_rules"),
        options=("--max-attempts", "1"),
        environment={
            "BITDEFENDER_URL": url,
            "BITDEFENDER_API_KEY": f"  {API_KEY}:\n",
            "BITDEFENDER_HTTP_PROXY": proxy_url(closed_port()),
        },
    )
    background("bad verify_ssl", 2, "isolate_host", isolate, {**good, "verify_ssl": "maybe"})
    background(
        "broken yaml",
        2,
        "isolate_host",
        isolate,
        config_text=f"url: {url}\nusername: {API_KEY}: [\nhttp_proxy: {proxy_url(3128)}\n",
    )
    background(
        "proxy with path",
        2,
        "isolate_host",
        isolate,
        {**good, "http_proxy": f"{proxy_url(3128)}/{PROXY_PASSWORD}"},
    )
    if tls_emulator is not None:
        tls = {"url": tls_emulator.access_url, "username": API_KEY}
        background("tls failure", 3, "isolate_host", isolate, tls)
        background("tls verify off", 0, "isolate_host", isolate, {**tls, "verify_ssl": "no"})


@pytest.fixture(scope="module")
def emulators() -> Iterator[tuple[Emulator, Emulator | None]]:
    keys = {API_KEY: {"incidents", "quarantine"}, INCIDENTS_ONLY_KEY: {"incidents"}}
    with Emulator(api_keys=keys, rate_limits=False) as plain:
        try:
            import trustme  # noqa: F401 - the TLS emulator needs it
        except ImportError:
            yield plain, None
            return
        with Emulator(api_keys=keys, rate_limits=False, tls=True) as tls:
            yield plain, tls


@pytest.fixture(scope="module")
def transcripts(emulators, tmp_path_factory) -> list[Transcript]:
    emulator, tls_emulator = emulators
    runner = Runner(tmp_path_factory.mktemp("secret-leak-configs"))
    record_runs(runner, emulator, tls_emulator)
    return runner.finish()


def all_output(transcripts: list[Transcript]) -> str:
    return "\n".join(f"{item.stdout}\n{item.stderr}" for item in transcripts)


@pytest.mark.parametrize("secret_name", sorted(SECRETS))
@pytest.mark.parametrize("form", ["raw", "base64", "base64 of secret and colon", "url-encoded"])
def test_secret_absent(secret_name, form, transcripts):
    leaked = encoded_forms(SECRETS[secret_name])[form]

    places = [
        f"{item.name} ({stream})"
        for item in transcripts
        for stream, text in (("stdout", item.stdout), ("stderr", item.stderr))
        if leaked in text
    ]

    assert places == []


def test_faults_all_used(emulators, transcripts):
    # A fault left over would change the runs made after it.
    emulator, _ = emulators

    assert emulator.pending_faults == []


def test_runs_exit_as_expected(transcripts):
    exits = {item.name: item.returncode for item in transcripts}

    assert exits == {item.name: item.expected_exit for item in transcripts}


def test_runs_produced_output(transcripts):
    # Every run must write something, or the search above would prove nothing.
    silent = [item.name for item in transcripts if not item.stdout or not item.stderr]

    assert silent == []


def test_verbose_log_reached(transcripts):
    output = all_output(transcripts)

    assert "Running isolate_host" in output
    assert "Retrying isolate_host" in output


def test_emulator_got_the_key(emulators, transcripts):
    emulator, _ = emulators
    expected = "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode()

    headers = {request.headers.get("Authorization") for request in emulator.requests}

    assert expected in headers


def test_emulator_got_the_password(emulators, transcripts):
    emulator, _ = emulators

    passwords = [
        (request.json or {}).get("params", {}).get("password") for request in emulator.requests
    ]

    assert EXCHANGE_PASSWORD in passwords


# In-process: exception texts, reprs and error documents


def test_connection_repr_hides_secrets():
    connection = connection_from_mapping(
        {
            "url": "https://127.0.0.1:8443",
            "username": API_KEY,
            "password": EXCHANGE_PASSWORD,
            "http_proxy": proxy_url(3128),
        }
    )

    text = repr(connection) + str(connection)
    for secret in SECRETS.values():
        for leaked in encoded_forms(secret).values():
            assert leaked not in text


def test_proxy_error_hides_secrets(emulators):
    emulator, _ = emulators
    settings = {
        "url": emulator.access_url,
        "username": API_KEY,
        "http_proxy": proxy_url(closed_port()),
    }
    connector = Connector(settings, rate_limiting=False, sleep=lambda seconds: None)

    with pytest.raises(NoResponseError) as caught:
        connector.run("isolate_host", restored_example("isolate_host"))

    text = str(caught.value) + repr(caught.value) + json.dumps(caught.value.to_dict())
    for secret in SECRETS.values():
        for leaked in encoded_forms(secret).values():
            assert leaked not in text


@pytest.mark.parametrize(
    "settings",
    [
        {"url": f"https://{quote(API_KEY, safe='')}@127.0.0.1/api", "username": API_KEY},
        {"url": f"https://127.0.0.1/api?key={quote(API_KEY, safe='')}", "username": API_KEY},
        {"url": "https://127.0.0.1/api", "username": f"{API_KEY} x"},
        {
            "url": "https://127.0.0.1/api",
            "username": API_KEY,
            "http_proxy": f"ftp://{quote(PROXY_USER, safe='')}:{quote(PROXY_PASSWORD, safe='')}@h",
        },
        {
            "url": "https://127.0.0.1/api",
            "username": API_KEY,
            "http_proxy": f"{proxy_url(3128)}?{PROXY_PASSWORD}",
        },
    ],
)
def test_configuration_errors_hide_secrets(settings):
    with pytest.raises(ConfigurationError) as caught:
        Connector(settings).run("isolate_host", restored_example("isolate_host"))

    text = str(caught.value) + json.dumps(caught.value.to_dict())
    for name in ("api_key", "proxy_user", "proxy_password"):
        for leaked in encoded_forms(SECRETS[name]).values():
            assert leaked not in text
