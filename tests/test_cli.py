"""The command line, run in a subprocess: one JSON document on stdout and documented exit codes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .test_spec_examples import ACTION_IDS, restored_example

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
API_KEY = "cli-test-key-5e0c3a91d7b24f68"
DRY_RUN_URL = "https://127.0.0.1:8443"
# Cleared in the child's environment, so that no request is routed through a proxy.
PROXY_ENVIRONMENT_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def run_cli(
    *arguments: str, environment: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bitdefender_connector`` with BITDEFENDER_* and proxy variables cleared."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("BITDEFENDER_") and name.upper() not in PROXY_ENVIRONMENT_VARIABLES
    }
    env.update(environment or {})
    return subprocess.run(  # noqa: S603 - runs this package with fixed arguments
        [sys.executable, "-m", "bitdefender_connector", *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPOSITORY_ROOT,
        timeout=60,
        check=False,
    )


def single_json(stdout: str) -> Any:
    """Return the one JSON document in ``stdout``. Fail when there is none or more than one."""
    decoder = json.JSONDecoder()
    text = stdout.lstrip()
    document, end = decoder.raw_decode(text)
    assert text[end:].strip() == "", f"text after the JSON document: {text[end:]!r}"
    return document


def write_config(directory: Path, **settings: Any) -> Path:
    path = directory / "gravityzone.json"
    path.write_text(json.dumps(settings), encoding="utf-8")
    return path


def closed_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def isolate_host_json() -> str:
    return json.dumps(restored_example("isolate_host"))


def test_actions_lists_fifteen():
    completed = run_cli("actions")

    rows = single_json(completed.stdout)
    assert completed.returncode == 0
    assert len(rows) == 15
    assert sorted(row["id"] for row in rows) == ACTION_IDS


def test_actions_row_fields():
    completed = run_cli("actions")

    rows = {row["id"]: row for row in single_json(completed.stdout)}
    assert rows["isolate_host"]["jsonrpc_method"] == "createIsolateEndpointTask"
    assert rows["isolate_host"]["http_method"] == "POST"
    assert rows["remove_quarantine_items"]["aliases"] == ["remove_quarentine_items"]


def test_describe_isolate_host():
    completed = run_cli("describe", "isolate_host")

    description = single_json(completed.stdout)
    assert completed.returncode == 0
    assert description["id"] == "isolate_host"
    assert description["jsonrpc_method"] == "createIsolateEndpointTask"
    assert description["endpoint"] == "api/v1.0/jsonrpc/incidents"
    assert description["examples"]["input"] == restored_example("isolate_host")


def test_describe_alias():
    completed = run_cli("describe", "restore_quarantine_exchage_item")

    assert completed.returncode == 0
    assert single_json(completed.stdout)["id"] == "restore_quarantine_exchange_item"


def test_run_dry_run_input_json():
    completed = run_cli(
        "run",
        "isolate_host",
        "--dry-run",
        "--input",
        isolate_host_json(),
        environment={"BITDEFENDER_URL": DRY_RUN_URL},
    )

    result = single_json(completed.stdout)
    assert completed.returncode == 0
    assert result["dry_run"] is True
    assert result["request"]["url"] == "https://127.0.0.1:8443/api/v1.0/jsonrpc/incidents"
    assert result["request"]["json_body"] == {
        "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
        "jsonrpc": "2.0",
        "method": "createIsolateEndpointTask",
        "params": {"endpointId": "5b680f6fb1a43d860a7b23c1"},
    }


def test_run_input_from_file(tmp_path):
    input_file = tmp_path / "input.json"
    input_file.write_text(isolate_host_json(), encoding="utf-8")

    completed = run_cli(
        "run",
        "isolate_host",
        "--dry-run",
        "--input",
        f"@{input_file}",
        environment={"BITDEFENDER_URL": DRY_RUN_URL},
    )

    assert completed.returncode == 0
    assert single_json(completed.stdout)["request"]["json_body"]["params"] == {
        "endpointId": "5b680f6fb1a43d860a7b23c1"
    }


def test_run_input_from_stdin():
    completed = run_cli(
        "run",
        "isolate_host",
        "--dry-run",
        "--input",
        "-",
        environment={"BITDEFENDER_URL": DRY_RUN_URL},
        stdin=isolate_host_json(),
    )

    assert completed.returncode == 0
    assert single_json(completed.stdout)["request"]["json_body"]["params"] == {
        "endpointId": "5b680f6fb1a43d860a7b23c1"
    }


def test_run_example_dry_run():
    completed = run_cli(
        "run",
        "update_block_list",
        "--example",
        "--dry-run",
        environment={"BITDEFENDER_URL": DRY_RUN_URL},
    )

    result = single_json(completed.stdout)
    assert completed.returncode == 0
    assert result["request"]["json_body"]["params"]["hashList"] == [
        "0cc175b9c0f1b6a831c399e269772661",
        "f696282aa4cd4f614aa995190cf442fe",
    ]


def test_dry_run_masks_secrets_in_output():
    completed = run_cli(
        "run",
        "restore_quarantine_exchange_item",
        "--example",
        "--dry-run",
        environment={"BITDEFENDER_URL": DRY_RUN_URL, "BITDEFENDER_API_KEY": API_KEY},
    )

    assert completed.returncode == 0
    assert API_KEY not in completed.stdout + completed.stderr
    assert "userpassword" not in completed.stdout + completed.stderr


def test_run_with_config_file(tmp_path, recording_server):
    config = write_config(tmp_path, url=recording_server.url, username=API_KEY)

    completed = run_cli(
        "run", "isolate_host", "--input", isolate_host_json(), "--config", str(config)
    )

    envelope = single_json(completed.stdout)
    assert completed.returncode == 0
    assert envelope["status_code"] == 200
    assert envelope["json_body"] == {
        "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
        "jsonrpc": "2.0",
        "result": True,
    }
    assert recording_server.requests[0].path == "/api/v1.0/jsonrpc/incidents"


def test_run_with_environment(recording_server):
    environment = {"BITDEFENDER_URL": recording_server.url, "BITDEFENDER_API_KEY": API_KEY}

    completed = run_cli(
        "run", "isolate_host", "--input", isolate_host_json(), environment=environment
    )

    assert completed.returncode == 0
    assert single_json(completed.stdout)["status_code"] == 200
    assert len(recording_server.requests) == 1


def test_invalid_input_exit_2():
    inputs = json.dumps({"json_body": {"params": {"endpointId": "not-an-id"}}})

    completed = run_cli(
        "run",
        "isolate_host",
        "--dry-run",
        "--input",
        inputs,
        environment={"BITDEFENDER_URL": DRY_RUN_URL},
    )

    error = single_json(completed.stdout)["error"]
    assert completed.returncode == 2
    assert error["type"] == "invalid_input"
    assert error["action"] == "isolate_host"
    assert error["fields"][0]["path"] == "json_body.params.endpointId"
    assert "json_body.params.endpointId" in completed.stderr


def test_invalid_input_sends_nothing(recording_server):
    environment = {"BITDEFENDER_URL": recording_server.url, "BITDEFENDER_API_KEY": API_KEY}
    inputs = json.dumps({"json_body": {"params": {}}})

    completed = run_cli("run", "isolate_host", "--input", inputs, environment=environment)

    assert completed.returncode == 2
    assert recording_server.requests == []


def test_invalid_json_text_exit_2():
    completed = run_cli(
        "run",
        "isolate_host",
        "--dry-run",
        "--input",
        "{json_body: ",
        environment={"BITDEFENDER_URL": DRY_RUN_URL},
    )

    error = single_json(completed.stdout)["error"]
    assert completed.returncode == 2
    assert error["type"] == "usage"
    assert "not valid JSON" in error["message"]
    assert "not valid JSON" in completed.stderr


def test_missing_input_file_exit_2(tmp_path):
    missing = tmp_path / "absent.json"

    completed = run_cli("run", "isolate_host", "--dry-run", "--input", f"@{missing}")

    assert completed.returncode == 2
    assert str(missing) in single_json(completed.stdout)["error"]["message"]


def test_unknown_action_exit_2():
    completed = run_cli("run", "isolate_endpoint", "--dry-run", "--input", "{}")

    error = single_json(completed.stdout)["error"]
    assert completed.returncode == 2
    assert error["type"] == "unknown_action"
    assert "isolate_endpoint" in completed.stderr


def test_describe_unknown_action_exit_2():
    completed = run_cli("describe", "isolate_endpoint")

    assert completed.returncode == 2
    assert single_json(completed.stdout)["error"]["type"] == "unknown_action"


def test_missing_api_key_exit_2(recording_server):
    completed = run_cli(
        "run",
        "isolate_host",
        "--input",
        isolate_host_json(),
        environment={"BITDEFENDER_URL": recording_server.url},
    )

    error = single_json(completed.stdout)["error"]
    assert completed.returncode == 2
    assert error["type"] == "invalid_configuration"
    assert "API key is missing" in completed.stderr
    assert recording_server.requests == []


@pytest.mark.parametrize(
    "text",
    ["url: [https://127.0.0.1\n", "- url\n- username\n", '{"url": "https://127.0.0.1", "key": 1}'],
)
def test_bad_config_file_exit_2(text, tmp_path):
    config = tmp_path / "broken.yaml"
    config.write_text(text, encoding="utf-8")

    completed = run_cli(
        "run", "isolate_host", "--input", isolate_host_json(), "--config", str(config)
    )

    error = single_json(completed.stdout)["error"]
    assert completed.returncode == 2
    assert error["type"] == "invalid_configuration"
    assert completed.stderr != ""


def test_missing_config_file_exit_2(tmp_path):
    missing = tmp_path / "absent.yaml"

    completed = run_cli(
        "run", "isolate_host", "--input", isolate_host_json(), "--config", str(missing)
    )

    assert completed.returncode == 2
    assert str(missing) in single_json(completed.stdout)["error"]["message"]


@pytest.mark.parametrize(
    "arguments",
    [
        (),
        ("run",),
        ("run", "isolate_host"),
        ("run", "isolate_host", "--input", "{}", "--example"),
        ("launch",),
    ],
)
def test_usage_error_exit_2(arguments):
    completed = run_cli(*arguments)

    error = single_json(completed.stdout)["error"]
    assert completed.returncode == 2
    assert error["type"] == "usage"
    assert error["message"] in completed.stderr


def test_jsonrpc_error_exit_1(tmp_path, recording_server):
    recording_server.respond(
        body=lambda request: {
            "id": request.json()["id"],
            "jsonrpc": "2.0",
            "error": {
                "code": -32602,
                "message": "Invalid params",
                "data": {"details": "At least one specified target is invalid."},
            },
        }
    )
    config = write_config(tmp_path, url=recording_server.url, username=API_KEY)

    completed = run_cli(
        "run", "isolate_host", "--input", isolate_host_json(), "--config", str(config)
    )

    envelope = single_json(completed.stdout)
    assert completed.returncode == 1
    assert envelope["status_code"] == 200
    assert envelope["json_body"]["error"]["code"] == -32602
    assert "GravityZone error -32602 (Invalid params)" in completed.stderr
    assert API_KEY not in completed.stdout + completed.stderr


def test_http_500_exit_1(tmp_path, recording_server):
    recording_server.respond(status=500, headers={"Content-Type": "text/plain"}, body=b"boom")
    config = write_config(tmp_path, url=recording_server.url, username=API_KEY)

    completed = run_cli(
        "run", "isolate_host", "--input", isolate_host_json(), "--config", str(config)
    )

    envelope = single_json(completed.stdout)
    assert completed.returncode == 1
    assert envelope["status_code"] == 500
    assert envelope["json_body"] is None


def test_nothing_listening_exit_3(tmp_path):
    config = write_config(tmp_path, url=f"http://127.0.0.1:{closed_port()}", username=API_KEY)

    # One attempt, because a refused connection is retried with waits of 1, 2 and 4 seconds.
    completed = run_cli(
        "run",
        "isolate_host",
        "--input",
        isolate_host_json(),
        "--config",
        str(config),
        "--max-attempts",
        "1",
    )

    error = single_json(completed.stdout)["error"]
    assert completed.returncode == 3
    assert error["type"] == "no_response"
    assert error["reason_code"] == "connection_refused"
    assert "refused" in completed.stderr


def test_verbose_log_hides_key(tmp_path, recording_server):
    config = write_config(tmp_path, url=recording_server.url, username=API_KEY)

    completed = run_cli(
        "-vv", "run", "isolate_host", "--input", isolate_host_json(), "--config", str(config)
    )

    assert completed.returncode == 0
    assert "0df7568c-59c1-48e0-a31b-18d83e6d9810" in completed.stderr
    assert API_KEY not in completed.stdout + completed.stderr
