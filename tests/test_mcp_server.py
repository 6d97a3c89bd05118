"""The mcp command, driven by the official MCP SDK's client over stdio against the emulator.

Each test starts ``python -m bitdefender_connector mcp`` as a subprocess. The SDK's stdio client
passes it only HOME, LOGNAME, PATH, SHELL, TERM and USER (on POSIX), so no proxy setting reaches
it, and the emulator listens on 127.0.0.1 in this process.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import jsonschema
import pytest
import yaml
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from bitdefender_connector.emulator import Emulator
from bitdefender_connector.manifest import load_manifest

from .test_cli import run_cli

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
ENDPOINT_ID = "5b680f6fb1a43d860a7b23c1"
WRONG_API_KEY = "wrong-key-5e1f0c2a9b8d7e6f5a4b3c2d1e0f9a8b"

Scenario = Callable[[ClientSession], Awaitable[Any]]


@pytest.fixture(scope="module")
def emulator():
    with Emulator(rate_limits=False) as emulator:
        yield emulator


@pytest.fixture
def config_file(emulator, tmp_path):
    emulator.reset_state()
    emulator.clear_requests()
    path = tmp_path / "gz.yaml"
    path.write_text(
        yaml.safe_dump({"url": emulator.access_url, "username": emulator.api_key}),
        encoding="utf-8",
    )
    return path


def run_session(config: Path, scenario: Scenario, *options: str, log: Path | None = None) -> Any:
    """Start the MCP server with ``config``, initialize a client session and run ``scenario``."""
    parameters = StdioServerParameters(
        command=sys.executable,
        args=["-m", "bitdefender_connector", "mcp", "--config", str(config), *options],
        cwd=str(REPOSITORY_ROOT),
    )
    log_path = log or config.with_suffix(".log")

    async def main() -> Any:
        with log_path.open("w", encoding="utf-8") as errlog:
            async with stdio_client(parameters, errlog=errlog) as (read_stream, write_stream):
                async with ClientSession(read_stream, write_stream) as session:
                    await session.initialize()
                    return await scenario(session)

    return anyio.run(main)


# Tools and results are compared as protocol JSON (camelCase names), because the SDK's Python
# attribute names differ between mcp 1 (inputSchema) and mcp 2 (input_schema).


def list_tools(config: Path) -> dict[str, dict[str, Any]]:
    async def scenario(session: ClientSession) -> Any:
        return (await session.list_tools()).tools

    tools = run_session(config, scenario)
    return {tool.name: tool.model_dump(by_alias=True, exclude_none=True) for tool in tools}


def call_tool(config: Path, name: str, arguments: dict[str, Any], *options: str) -> dict:
    async def scenario(session: ClientSession) -> Any:
        return await session.call_tool(name, arguments)

    return run_session(config, scenario, *options).model_dump(by_alias=True)


def example_input(action_id: str) -> dict[str, Any]:
    return dict(load_manifest().actions[action_id].example_input)


def result_text(result: dict[str, Any]) -> str:
    return " ".join(block["text"] for block in result["content"])


def test_lists_fifteen_tools(config_file):
    tools = list_tools(config_file)

    assert len(tools) == 15
    assert sorted(tools) == sorted(load_manifest().actions)


def test_tool_description_from_manifest(config_file):
    tool = list_tools(config_file)["isolate_host"]
    action = load_manifest().actions["isolate_host"]

    assert tool["description"] == action.description
    assert tool["title"] == "Isolate Host"


def test_read_tool_annotations(config_file):
    annotations = list_tools(config_file)["get_rules"]["annotations"]

    assert annotations["readOnlyHint"] is True
    assert annotations["destructiveHint"] is False
    assert annotations["idempotentHint"] is True


def test_task_tool_annotations(config_file):
    annotations = list_tools(config_file)["isolate_host"]["annotations"]

    assert annotations["readOnlyHint"] is False
    assert annotations["destructiveHint"] is True
    assert annotations["idempotentHint"] is False


def test_config_tool_annotations(config_file):
    annotations = list_tools(config_file)["update_block_list"]["annotations"]

    assert annotations["readOnlyHint"] is False
    assert annotations["destructiveHint"] is True
    assert annotations["idempotentHint"] is False


def test_annotations_cover_every_tool(config_file):
    tools = list_tools(config_file)

    read_only = sorted(name for name, tool in tools.items() if tool["annotations"]["readOnlyHint"])
    destructive = [name for name, tool in tools.items() if tool["annotations"]["destructiveHint"]]

    assert read_only == ["get_block_list_items", "get_quarantine_items", "get_rules"]
    assert len(destructive) == 12


def test_input_schema_is_self_contained(config_file):
    schema = list_tools(config_file)["isolate_host"]["inputSchema"]
    endpoint_id = schema["properties"]["json_body"]["properties"]["params"]["properties"][
        "endpointId"
    ]

    assert endpoint_id["$ref"] == "#/$defs/objectId"
    assert schema["$defs"]["objectId"]["pattern"] == "^[0-9a-fA-F]{24}$"
    assert schema["required"] == ["json_body"]


def test_input_schema_accepts_example(config_file):
    schema = list_tools(config_file)["get_quarantine_items"]["inputSchema"]

    jsonschema.validate(example_input("get_quarantine_items"), schema)


def test_input_schema_rejects_bad_id(config_file):
    schema = list_tools(config_file)["isolate_host"]["inputSchema"]

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"json_body": {"params": {"endpointId": "xyz"}}}, schema)


def test_read_tool_runs(config_file, emulator):
    result = call_tool(config_file, "get_rules", example_input("get_rules"))

    assert result["isError"] is False
    assert result["structuredContent"]["status_code"] == 200
    assert result["structuredContent"]["json_body"]["result"]["total"] == 2
    assert result_text(result).startswith("get_rules succeeded: HTTP 200 OK, ")
    assert "\n" not in result_text(result)
    assert len(emulator.requests) == 1


def test_destructive_tool_dry_run(config_file, emulator):
    result = call_tool(config_file, "isolate_host", example_input("isolate_host"))

    assert result["isError"] is False
    assert result["structuredContent"]["dry_run"] is True
    assert result["structuredContent"]["request"]["json_body"]["params"] == {
        "endpointId": ENDPOINT_ID
    }
    assert result_text(result).startswith("Not sent: isolate_host creates a task on endpoints")
    assert emulator.requests == []
    assert emulator.state.endpoints[ENDPOINT_ID].isolated is False


def test_config_tool_dry_run(config_file, emulator):
    result = call_tool(config_file, "update_block_list", example_input("update_block_list"))

    assert result["structuredContent"]["dry_run"] is True
    assert result_text(result).startswith("Not sent: update_block_list changes GravityZone")
    assert len(emulator.state.blocklist) == 4


def test_destructive_tool_allow_writes(config_file, emulator):
    result = call_tool(config_file, "isolate_host", example_input("isolate_host"), "--allow-writes")

    assert result["isError"] is False
    assert result["structuredContent"]["json_body"]["result"] is True
    assert result_text(result) == "isolate_host succeeded: HTTP 200 OK, result true"
    assert len(emulator.requests) == 1
    assert emulator.state.endpoints[ENDPOINT_ID].isolated is True


def test_config_tool_allow_writes(config_file, emulator):
    result = call_tool(
        config_file, "update_block_list", example_input("update_block_list"), "--allow-writes"
    )

    assert result["isError"] is False
    # The seed blocklist has 4 items and already holds the example's first hash.
    assert len(emulator.state.blocklist) == 5


def test_invalid_input_names_field(config_file, emulator):
    arguments = {"json_body": {"params": {"endpointId": "xyz"}}}

    result = call_tool(config_file, "isolate_host", arguments, "--allow-writes")

    assert result["isError"] is True
    assert "json_body.params.endpointId" in result_text(result)
    assert result["structuredContent"]["error"]["type"] == "invalid_input"
    assert emulator.requests == []


def test_invalid_input_rejected_in_dry_run(config_file):
    arguments = {"json_body": {"params": {"endpointId": "xyz"}}}

    result = call_tool(config_file, "isolate_host", arguments)

    assert result["isError"] is True
    assert result_text(result).startswith("Invalid input for action isolate_host: ")


def test_missing_required_field(config_file):
    result = call_tool(config_file, "get_quarantine_items", {"json_body": {"params": {}}})

    assert result["isError"] is True
    assert "path_parameters: is required but missing" in result_text(result)


def test_service_error_is_tool_error(config_file):
    arguments = {"json_body": {"params": {"endpointId": "000000000000000000000000"}}}

    result = call_tool(config_file, "isolate_host", arguments, "--allow-writes")

    assert result["isError"] is True
    assert result_text(result).startswith("isolate_host: GravityZone error -32602 (Invalid params)")
    assert result["structuredContent"]["error"]["reason_code"] == "jsonrpc_error"
    assert result["structuredContent"]["envelope"]["status_code"] == 200


def test_rejected_key_message_has_no_key(emulator, tmp_path):
    config = tmp_path / "wrong.yaml"
    config.write_text(
        yaml.safe_dump({"url": emulator.access_url, "username": WRONG_API_KEY}), encoding="utf-8"
    )
    log = tmp_path / "server.log"

    called = run_session(
        config,
        lambda session: session.call_tool("get_rules", example_input("get_rules")),
        log=log,
    )
    result = called.model_dump(by_alias=True)

    assert result["isError"] is True
    assert "GravityZone rejected the API key" in result_text(result)
    assert WRONG_API_KEY not in result_text(result)
    assert WRONG_API_KEY not in json.dumps(result["structuredContent"])
    assert WRONG_API_KEY not in log.read_text(encoding="utf-8")


def test_dry_run_masks_authorization(config_file, emulator):
    result = call_tool(config_file, "isolate_host", example_input("isolate_host"))

    assert result["structuredContent"]["request"]["headers"]["Authorization"] == "Basic ********"
    assert emulator.api_key not in json.dumps(result["structuredContent"])


def test_unknown_tool(config_file):
    result = call_tool(config_file, "format_disk", {})

    assert result["isError"] is True
    assert result_text(result).startswith("Unknown tool 'format_disk'")


def test_missing_api_key_stops_start(emulator, tmp_path):
    config = tmp_path / "no-key.yaml"
    config.write_text(yaml.safe_dump({"url": emulator.access_url}), encoding="utf-8")
    log = tmp_path / "server.log"

    with pytest.raises(Exception):  # noqa: B017 - the SDK's error type differs between versions
        run_session(config, lambda session: session.list_tools(), log=log)

    assert "The API key is missing" in log.read_text(encoding="utf-8")


def last_stderr_json(stderr: str) -> Any:
    return json.loads(stderr.strip().splitlines()[-1])


def test_start_error_not_on_stdout(tmp_path):
    config = tmp_path / "no-key.yaml"
    config.write_text(yaml.safe_dump({"url": "https://127.0.0.1:8443"}), encoding="utf-8")

    completed = run_cli("mcp", "--config", str(config), stdin="")
    error = last_stderr_json(completed.stderr)["error"]

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert error["type"] == "invalid_configuration"
    assert error["message"].startswith("The API key is missing")


def test_missing_config_not_on_stdout(tmp_path):
    config = tmp_path / "absent.yaml"

    completed = run_cli("mcp", "--config", str(config), stdin="")
    error = last_stderr_json(completed.stderr)["error"]

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert error["type"] == "invalid_configuration"
    assert str(config) in error["message"]


def test_bad_manifest_not_on_stdout(tmp_path):
    config = tmp_path / "gz.yaml"
    config.write_text(
        yaml.safe_dump({"url": "https://127.0.0.1:8443", "username": WRONG_API_KEY}),
        encoding="utf-8",
    )

    completed = run_cli("--manifest", str(tmp_path), "mcp", "--config", str(config), stdin="")
    error = last_stderr_json(completed.stderr)["error"]

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert error["type"] == "invalid_manifest"
