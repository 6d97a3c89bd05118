"""The emulator's command-line glue: options, and a served process stopped with SIGTERM."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from bitdefender_connector.emulator import command

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
