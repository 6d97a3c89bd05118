"""The emulator's command-line glue: options, and a served process stopped with SIGTERM."""

from __future__ import annotations

import argparse
import errno
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from bitdefender_connector.emulator import command
from bitdefender_connector.emulator.emulator import Emulator
from bitdefender_connector.errors import ConfigurationError

from .test_cli import run_cli, single_json
from .test_emulator_support import GENERAL, envelope

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


def parse(argv):
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    return parser.parse_args(argv)


def test_option_defaults():
    args = parse([])

    assert args.host == "127.0.0.1"
    assert args.port == 0
    assert args.tls is False
    assert args.api_key is None
    assert args.no_rate_limits is False
    assert args.rate_limit_scale == 1.0


def test_options_are_parsed():
    args = parse(
        [
            "--port",
            "8443",
            "--tls",
            "--api-key",
            "k",
            "--no-rate-limits",
            "--rate-limit-scale",
            "0.1",
        ]
    )

    assert args.port == 8443
    assert args.tls is True
    assert args.api_key == "k"
    assert args.no_rate_limits is True
    assert args.rate_limit_scale == 0.1


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGTERM")
def test_module_serves_until_sigterm():
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY_ROOT)}
    process = subprocess.Popen(  # noqa: S603 - fixed argument list
        [sys.executable, "-m", "bitdefender_connector.emulator", "--api-key", "cli-test-key"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=REPOSITORY_ROOT,
    )
    try:
        details = json.loads(process.stdout.readline())
        response = requests.post(
            f"{details['access_url']}/{GENERAL}",
            json=envelope("getApiKeyDetails"),
            auth=("cli-test-key", ""),
            timeout=5,
        )
        process.send_signal(signal.SIGTERM)
        return_code = process.wait(timeout=10)
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()

    assert details["api_key"] == "cli-test-key"
    assert details["ca_bundle_path"] is None
    assert details["access_url"].startswith("http://127.0.0.1:")
    assert response.json()["result"]["enabledApis"] == ["incidents", "quarantine"]
    assert return_code == 0


@pytest.fixture
def busy_port():
    """Return a port on 127.0.0.1 that a listening socket occupies until the test ends."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_cli_api_key_with_colon():
    completed = run_cli("emulator", "--api-key", "a:b")
    error = single_json(completed.stdout)["error"]

    assert completed.returncode == 2
    assert error["type"] == "usage"
    assert error["message"].startswith("argument --api-key: must not contain ':'")
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--api-key", ""),
        ("--port", "65536"),
        ("--port", "-1"),
        ("--port", "http"),
        ("--rate-limit-scale", "0"),
        ("--rate-limit-scale", "nan"),
        ("--rate-limit-scale", "inf"),
    ],
)
def test_invalid_option_rejected(option, value):
    with pytest.raises(SystemExit) as raised:
        parse([option, value])

    assert raised.value.code == 2


def test_cli_port_in_use(busy_port):
    completed = run_cli("emulator", "--port", str(busy_port))
    error = single_json(completed.stdout)["error"]

    assert completed.returncode == 2
    assert error["type"] == "invalid_configuration"
    assert error["message"] == (
        f"Port {busy_port} on 127.0.0.1 is already in use. Pass another --port, or --port 0 to "
        "pick a free port"
    )
    assert "Traceback" not in completed.stderr


def test_module_port_in_use(busy_port):
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY_ROOT)}
    completed = subprocess.run(  # noqa: S603 - fixed argument list
        [sys.executable, "-m", "bitdefender_connector.emulator", "--port", str(busy_port)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPOSITORY_ROOT,
        timeout=60,
        check=False,
    )
    error = single_json(completed.stdout)["error"]

    assert completed.returncode == 2
    assert error["type"] == "invalid_configuration"
    assert f"Port {busy_port} on 127.0.0.1 is already in use" in error["message"]


def test_unresolved_host(monkeypatch):
    looked_up = []

    def fail_lookup(host, *args, **kwargs):
        looked_up.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail_lookup)

    with pytest.raises(ConfigurationError) as raised:
        command.run(parse(["--host", "gz-console.invalid"]))

    assert looked_up == ["gz-console.invalid"]
    assert raised.value.exit_code == 2
    assert str(raised.value) == (
        "--host gz-console.invalid could not be resolved to an IPv4 address (Name or service "
        "not known). Pass an IPv4 address or a local host name, such as 127.0.0.1 or localhost"
    )


def test_host_not_local(monkeypatch):
    def refuse_bind(self):
        raise OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address")

    monkeypatch.setattr(Emulator, "start", refuse_bind)

    with pytest.raises(ConfigurationError) as raised:
        command.run(parse(["--host", "127.0.0.1", "--port", "8443"]))

    assert raised.value.exit_code == 2
    assert str(raised.value).startswith("--host 127.0.0.1 is not an address of this machine")


def test_other_bind_failure(monkeypatch):
    def refuse_bind(self):
        raise OSError(errno.ENOBUFS, "No buffer space available")

    monkeypatch.setattr(Emulator, "start", refuse_bind)

    with pytest.raises(ConfigurationError) as raised:
        command.run(parse(["--port", "8443"]))

    assert str(raised.value) == (
        "The emulator could not listen on 127.0.0.1 port 8443: No buffer space available. Check "
        "--host and --port"
    )


def test_failed_start_keeps_sigterm_handler(busy_port):
    before = signal.getsignal(signal.SIGTERM)

    with pytest.raises(ConfigurationError):
        command.run(parse(["--port", str(busy_port)]))

    assert signal.getsignal(signal.SIGTERM) is before


def test_sigint_stops_background_emulator():
    # A shell starts background jobs with SIGINT ignored; the emulator must still stop on it.
    def ignore_sigint():
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    process = subprocess.Popen(  # noqa: S603 - fixed argument list
        [sys.executable, "-m", "bitdefender_connector.emulator"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY_ROOT)},
        cwd=REPOSITORY_ROOT,
        preexec_fn=ignore_sigint,  # noqa: PLW1509 - POSIX-only test helper
    )
    try:
        json.loads(process.stdout.readline())
        process.send_signal(signal.SIGINT)
        return_code = process.wait(timeout=10)
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()

    assert return_code == 0
