"""Swimlane's own connector-def-runner runs every action as our executor does.

A session fixture installs connector-def-runner from the package registry into its own virtual
environment, because the runner pins requests and PyYAML versions that may clash with ours.
Each test runs tests/swimlane_container.py, the few lines that Swimlane Turbine's container
adds around the runner, with the repository root as the working directory and the emulator on
127.0.0.1 as the server.

The tests after the parametrized comparison check the differences that the README lists under
"Running in Swimlane Turbine".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bitdefender_connector import ActionFailedError, Connector, InputError
from bitdefender_connector.emulator import Emulator
from bitdefender_connector.manifest import load_manifest

pytestmark = pytest.mark.network

# The runner release these tests were written against. Raise it to check a new release.
RUNNER_REQUIREMENT = "connector-def-runner==2.3.18"
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
CONTAINER_SCRIPT = Path(__file__).resolve().parent / "swimlane_container.py"
MANIFEST = load_manifest()
ACTION_IDS = sorted(MANIFEST.actions)
ENDPOINT_ID = "5b680f6fb1a43d860a7b23c1"
UNKNOWN_ENDPOINT_ID = "000000000000000000000000"

# pip output that means the registry was not reached, as opposed to a failed install.
UNREACHABLE_REGISTRY_MARKERS = (
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "Connection refused",
    "ProxyError",
    "Max retries exceeded",
    "Could not fetch URL",
)
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


@pytest.fixture(scope="session")
def runner_python(tmp_path_factory) -> Path:
    """Return the Python of a new virtual environment with connector-def-runner installed."""
    if sys.version_info >= (3, 13):
        pytest.skip(
            "connector-def-runner 2.3.18 imports the cgi module, which Python 3.13 removed; "
            "run this test with Python 3.10 to 3.12"
        )
    environment = tmp_path_factory.mktemp("swimlane-runner") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(environment)], check=True)  # noqa: S603
    python = environment / ("Scripts" if os.name == "nt" else "bin") / "python"
    completed = subprocess.run(  # noqa: S603 - installs one pinned package with pip
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", RUNNER_REQUIREMENT],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if completed.returncode != 0:
        output = completed.stdout + completed.stderr
        # CI must reach the registry, so only a local run may skip.
        if os.environ.get("CI") != "true" and any(
            marker in output for marker in UNREACHABLE_REGISTRY_MARKERS
        ):
            pytest.skip(
                f"pip could not reach the package registry to install the runner:\n{output}"
            )
        pytest.fail(f"pip install {RUNNER_REQUIREMENT} failed:\n{output}")
    return python


@pytest.fixture(scope="module")
def emulator():
    with Emulator(rate_limits=False) as emulator:
        yield emulator


@pytest.fixture
def fresh_emulator(emulator):
    emulator.reset_state()
    emulator.clear_requests()
    return emulator


def swimlane_asset(emulator: Emulator, **changes: Any) -> dict[str, Any]:
    """Return the asset fields as a Swimlane user enters them: the URL without /api."""
    asset = {
        "url": emulator.access_url.removesuffix("/api"),
        "username": emulator.api_key,
        "password": "",
        "verify_ssl": True,
        "http_proxy": "",
    }
    asset.update(changes)
    return {name: value for name, value in asset.items() if value is not None}


def run_in_runner(python: Path, action_id: str, payload: dict[str, Any]) -> Any:
    """Run one action through the runner, as the platform's container does."""
    environment = {
        name: value for name, value in os.environ.items() if name.lower() not in PROXY_VARIABLES
    }
    # swimlane-core reads the names of the asset fields from ASSET_KEYS but does not set it.
    # NOTE: the platform's value is assumed to be every field of the asset schema.
    environment["ASSET_KEYS"] = ",".join(MANIFEST.connection_schema["inputs"]["properties"])
    return subprocess.run(  # noqa: S603 - runs the container script with fixed arguments
        [str(python), str(CONTAINER_SCRIPT), action_id],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=REPOSITORY_ROOT,
        env=environment,
        timeout=120,
        check=False,
    )


def runner_output(completed: Any) -> dict[str, Any]:
    """Return the JSON after ``::set-output`` on stdout, or fail with the runner's stderr."""
    for line in completed.stdout.splitlines():
        if line.startswith("::set-output "):
            return json.loads(line.removeprefix("::set-output "))
    pytest.fail(f"the runner printed no output (exit {completed.returncode}):\n{completed.stderr}")


def runner_error(completed: Any) -> dict[str, Any]:
    """Return the JSON after ``::set-error`` on stderr, or fail with what the runner printed."""
    for line in completed.stderr.splitlines():
        if line.startswith("::set-error "):
            return json.loads(line.removeprefix("::set-error "))
    pytest.fail(f"the runner printed no error (exit {completed.returncode}):\n{completed.stdout}")


def header(request: Any, name: str) -> str | None:
    for key, value in request.headers.items():
        if key.lower() == name.lower():
            return value
    return None


def our_connector(emulator: Emulator, **settings: Any) -> Connector:
    connection = {"url": emulator.access_url, "username": emulator.api_key, **settings}
    return Connector(connection, rate_limiting=False)


@pytest.mark.parametrize("action_id", ACTION_IDS)
def test_runner_matches_executor(action_id, runner_python, fresh_emulator):
    example = MANIFEST.actions[action_id].example_input
    completed = run_in_runner(
        runner_python, action_id, {**swimlane_asset(fresh_emulator), **example}
    )
    their_requests = fresh_emulator.requests
    fresh_emulator.reset_state()
    fresh_emulator.clear_requests()
    with our_connector(fresh_emulator) as connector:
        ours = connector.run(action_id, example)
    our_requests = fresh_emulator.requests

    theirs = runner_output(completed)
    assert completed.returncode == 0
    assert theirs["status_code"] == ours["status_code"]
    assert theirs["reason"] == ours["reason"]
    assert theirs["json_body"] == ours["json_body"]
    assert len(their_requests) == 1
    assert len(our_requests) == 1
    assert their_requests[0].http_method == our_requests[0].http_method
    assert their_requests[0].path == our_requests[0].path
    assert their_requests[0].json == our_requests[0].json
    assert header(their_requests[0], "Authorization") == header(our_requests[0], "Authorization")


def test_access_url_with_api_not_found(runner_python, fresh_emulator):
    payload = {**swimlane_asset(fresh_emulator, url=fresh_emulator.access_url)}
    payload.update(MANIFEST.actions["isolate_host"].example_input)

    completed = run_in_runner(runner_python, "isolate_host", payload)

    error = runner_error(completed)
    assert completed.returncode == 1
    assert error["status_code"] == 404
    assert fresh_emulator.requests[0].path == "/api/api/v1.0/jsonrpc/incidents"
    # A body that is not JSON comes back as response_text, where we return json_body null.
    assert "json_body" not in error
    assert error["response_text"].startswith("404 Not Found")


def test_executor_accepts_access_url_with_api(fresh_emulator):
    with our_connector(fresh_emulator) as connector:
        envelope = connector.run("isolate_host", MANIFEST.actions["isolate_host"].example_input)

    assert envelope["json_body"]["result"] is True
    assert fresh_emulator.requests[0].path == "/api/v1.0/jsonrpc/incidents"


def test_json_body_sent_as_given(runner_python, fresh_emulator):
    inputs = {"json_body": {"params": {"endpointId": ENDPOINT_ID}}}

    completed = run_in_runner(
        runner_python, "isolate_host", {**swimlane_asset(fresh_emulator), **inputs}
    )

    output = runner_output(completed)
    assert completed.returncode == 0
    assert fresh_emulator.requests[0].json == {"params": {"endpointId": ENDPOINT_ID}}
    assert output["json_body"]["error"]["code"] == -32600


def test_executor_completes_json_body(fresh_emulator):
    inputs = {"json_body": {"params": {"endpointId": ENDPOINT_ID}}}

    with our_connector(fresh_emulator) as connector:
        connector.run("isolate_host", inputs)

    sent = fresh_emulator.requests[0].json
    assert sent["jsonrpc"] == "2.0"
    assert sent["method"] == "createIsolateEndpointTask"
    assert isinstance(sent["id"], str)


def test_jsonrpc_error_is_success(runner_python, fresh_emulator):
    inputs = {
        "json_body": {
            "params": {"endpointId": UNKNOWN_ENDPOINT_ID},
            "jsonrpc": "2.0",
            "method": "createIsolateEndpointTask",
            "id": "swimlane-1",
        }
    }

    completed = run_in_runner(
        runner_python, "isolate_host", {**swimlane_asset(fresh_emulator), **inputs}
    )

    output = runner_output(completed)
    assert completed.returncode == 0
    assert output["status_code"] == 200
    assert output["json_body"]["error"]["code"] == -32602


def test_executor_fails_on_jsonrpc_error(fresh_emulator):
    inputs = {"json_body": {"params": {"endpointId": UNKNOWN_ENDPOINT_ID}}}

    with our_connector(fresh_emulator) as connector, pytest.raises(ActionFailedError) as caught:
        connector.run("isolate_host", inputs)

    assert caught.value.reason_code == "jsonrpc_error"


def test_path_parameter_default_not_applied(runner_python, fresh_emulator):
    inputs = {"json_body": {"params": {}, "jsonrpc": "2.0", "method": "createEmptyQuarantineTask"}}
    inputs["json_body"]["id"] = "swimlane-2"

    completed = run_in_runner(
        runner_python, "create_empty_quarantine", {**swimlane_asset(fresh_emulator), **inputs}
    )

    assert completed.returncode == 1
    assert runner_error(completed)["status_code"] == 404
    assert fresh_emulator.requests[0].path == "/api/v1.0/jsonrpc/quarantine/"


def test_executor_applies_path_default(fresh_emulator):
    with our_connector(fresh_emulator) as connector:
        connector.run("create_empty_quarantine", {"json_body": {"params": {}}})

    assert fresh_emulator.requests[0].path == "/api/v1.0/jsonrpc/quarantine/computers"


def test_missing_password_sends_no_auth(runner_python, fresh_emulator):
    payload = {**swimlane_asset(fresh_emulator, password=None)}
    payload.update(MANIFEST.actions["isolate_host"].example_input)

    completed = run_in_runner(runner_python, "isolate_host", payload)

    assert completed.returncode == 1
    assert runner_error(completed)["status_code"] == 401
    assert header(fresh_emulator.requests[0], "Authorization") is None


def test_other_method_not_rejected(runner_python, fresh_emulator):
    inputs = {
        "json_body": {
            "params": {},
            "jsonrpc": "2.0",
            "method": "getCustomRulesList",
            "id": "swimlane-3",
        }
    }

    completed = run_in_runner(
        runner_python, "isolate_host", {**swimlane_asset(fresh_emulator), **inputs}
    )

    assert completed.returncode == 0
    assert fresh_emulator.requests[0].json["method"] == "getCustomRulesList"
    assert "result" in runner_output(completed)["json_body"]


def test_path_parameter_not_checked(runner_python, fresh_emulator):
    inputs = {
        "path_parameters": {"type": "../incidents"},
        "json_body": {
            "params": {"endpointId": ENDPOINT_ID},
            "jsonrpc": "2.0",
            "method": "createIsolateEndpointTask",
            "id": "swimlane-4",
        },
    }

    completed = run_in_runner(
        runner_python, "get_quarantine_items", {**swimlane_asset(fresh_emulator), **inputs}
    )

    assert completed.returncode == 0
    assert fresh_emulator.requests[0].path == "/api/v1.0/jsonrpc/incidents"
    assert fresh_emulator.state.endpoints[ENDPOINT_ID].isolated is True


def test_executor_rejects_other_method(fresh_emulator):
    inputs = {"json_body": {"params": {}, "method": "getCustomRulesList"}}

    with our_connector(fresh_emulator) as connector, pytest.raises(InputError) as caught:
        connector.run("isolate_host", inputs)

    assert caught.value.errors[0].path == "json_body.method"
    assert fresh_emulator.requests == []


def test_executor_rejects_path_traversal(fresh_emulator):
    inputs = {"path_parameters": {"type": "../incidents"}, "json_body": {"params": {}}}

    with our_connector(fresh_emulator) as connector, pytest.raises(InputError) as caught:
        connector.run("get_quarantine_items", inputs)

    assert caught.value.errors[0].path == "path_parameters.type"
    assert fresh_emulator.requests == []


@pytest.fixture
def tls_emulator():
    with Emulator(tls=True, rate_limits=False) as emulator:
        yield emulator


def test_verify_ssl_missing_means_off(runner_python, tls_emulator):
    payload = {**swimlane_asset(tls_emulator, verify_ssl=None)}
    payload.update(MANIFEST.actions["isolate_host"].example_input)

    completed = run_in_runner(runner_python, "isolate_host", payload)

    assert completed.returncode == 0
    assert runner_output(completed)["json_body"]["result"] is True


def test_ca_bundle_ignored(runner_python, tls_emulator):
    payload = {**swimlane_asset(tls_emulator, ca_bundle=tls_emulator.ca_bundle_path)}
    payload.update(MANIFEST.actions["isolate_host"].example_input)

    completed = run_in_runner(runner_python, "isolate_host", payload)

    error = runner_error(completed)
    assert completed.returncode == 1
    assert error["name"] == "SSLError"
    assert tls_emulator.requests == []
