"""The generated action reference: docs/actions.md is current and reads from the manifest."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from bitdefender_connector.manifest import load_manifest
from bitdefender_connector.reference_docs import field_rows, render_reference

from .test_cli import run_cli, single_json

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
COMMITTED_REFERENCE = REPOSITORY_ROOT / "docs" / "actions.md"
ACTION_IDS = [
    "add_file_to_quarantine",
    "create_empty_quarantine",
    "create_restore_endpoint_from_isolation_task",
    "create_rule",
    "delete_rule",
    "get_block_list_items",
    "get_quarantine_items",
    "get_rules",
    "isolate_host",
    "quarantine_file",
    "remove_from_block_list",
    "remove_quarantine_items",
    "restore_quarantine_exchange_item",
    "restore_quarantine_item",
    "update_block_list",
]
LIST_ACTIONS = ["get_block_list_items", "get_quarantine_items", "get_rules"]
# Filler wording from the Swimlane connector spec's generated field tables. It describes no field.
PLACEHOLDER_PHRASES = [
    "parameter for",
    "parameters for the",
    "unique identifier",
    "result of the operation",
    "name of the resource",
    "type of the resource",
    "http method to use",
    "output field",
    "value for the parameter",
    "status value",
    "date value",
]


def section(text: str, action_id: str) -> str:
    """Return the part of the reference from the action's heading to the next action's."""
    start = text.index(f"\n## {action_id}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


@pytest.fixture(scope="module")
def reference() -> str:
    return render_reference(load_manifest())


def test_committed_reference_is_current(reference):
    committed = COMMITTED_REFERENCE.read_text(encoding="utf-8")

    assert committed == reference, (
        "docs/actions.md is stale; run "
        "'.venv/bin/bitdefender-connector docs --output docs/actions.md' and commit it"
    )


def test_render_is_deterministic(reference):
    assert render_reference(load_manifest()) == reference


def test_section_per_action(reference):
    headings = re.findall(r"^## ([a-z_]+)$", reference, flags=re.MULTILINE)

    assert headings == ACTION_IDS


def test_connection_fields(reference):
    assert (
        "| `username` | string | yes |  | `BITDEFENDER_API_KEY` | The GravityZone API key. Its "
        "enabled API areas decide which actions can run. |"
    ) in reference


def test_connection_test_source(reference):
    assert "`getApiKeyDetails` with empty params to `POST api/v1.0/jsonrpc/general`" in reference
    assert "77209-140282-getapikeydetails" in reference


def test_isolate_host_facts(reference):
    text = section(reference, "isolate_host")

    assert "| HTTP method and path | `POST api/v1.0/jsonrpc/incidents` |" in text
    assert "| JSON-RPC method | `createIsolateEndpointTask` |" in text
    assert "| API area | Incidents |" in text
    assert (
        "| Rate-limit class | `default`: 10 requests per 1 s per API key, a burst of 10 queued |"
    ) in text
    assert "| Creates tasks | yes |" in text


def test_isolate_host_input_row(reference):
    text = section(reference, "isolate_host")

    assert (
        "| `json_body.params.endpointId` | string | yes | matching `^[0-9a-fA-F]{24}$` | The ID "
        "of the endpoint to isolate, as returned by the Network API. |"
    ) in text


def test_isolate_host_examples(reference):
    text = section(reference, "isolate_host")

    assert '"method": "createIsolateEndpointTask"' in text
    assert '"result": true' in text


def test_update_block_list_facts(reference):
    text = section(reference, "update_block_list")

    assert (
        "| Rate-limit class | `blocklist_rule_mutator`: 5 requests per 60 s per API key, no burst |"
    ) in text
    assert "| Creates tasks | no, it changes configuration |" in text


def test_get_rules_input_row(reference):
    text = section(reference, "get_rules")

    assert (
        "| `json_body.params.perPage` | integer | no | 1 to 100; default `30` | How many rules a "
        "page holds, from 1 to 100. Default 30. |"
    ) in text


def test_get_rules_output_row(reference):
    text = section(reference, "get_rules")

    assert (
        "| `json_body.result.items[].settings.criteriaList[].relation` | string | no |  | How "
        "the field is compared: is, contains or any. |"
    ) in text


def test_secret_field_marked(reference):
    text = section(reference, "restore_quarantine_exchange_item")

    assert "secret, masked in dry runs and messages" in text


def test_all_pages_only_on_list_actions(reference):
    with_all_pages = [name for name in ACTION_IDS if "| All pages |" in section(reference, name)]

    assert with_all_pages == LIST_ACTIONS


def test_alias_listed(reference):
    text = section(reference, "remove_quarantine_items")

    assert "| Aliases | `remove_quarentine_items` |" in text


def test_every_field_described():
    manifest = load_manifest()

    undescribed = [
        (action.name, schema_key, row.path)
        for action in manifest.actions.values()
        for schema_key in ("inputs", "output")
        for row in field_rows(manifest, action, schema_key)
        if not row.description
    ]
    assert undescribed == []


def test_no_placeholder_wording():
    manifest = load_manifest()

    placeholders = [
        (action.name, row.path, row.description)
        for action in manifest.actions.values()
        for schema_key in ("inputs", "output")
        for row in field_rows(manifest, action, schema_key)
        if any(phrase in row.description.lower() for phrase in PLACEHOLDER_PHRASES)
    ]
    assert placeholders == []


# Command line


def test_cli_output_matches_committed(tmp_path):
    output = tmp_path / "actions.md"

    completed = run_cli("docs", "--output", str(output))

    assert completed.returncode == 0
    assert single_json(completed.stdout) == {"output": str(output), "actions": 15}
    assert output.read_text(encoding="utf-8") == COMMITTED_REFERENCE.read_text(encoding="utf-8")


def test_cli_stdout():
    completed = run_cli("docs")

    assert completed.returncode == 0
    assert completed.stdout == COMMITTED_REFERENCE.read_text(encoding="utf-8")


def test_cli_check_current():
    completed = run_cli("docs", "--output", str(COMMITTED_REFERENCE), "--check")

    assert completed.returncode == 0
    assert single_json(completed.stdout)["up_to_date"] is True


def test_cli_check_stale(tmp_path):
    stale = tmp_path / "actions.md"
    stale.write_text("# An old reference\n", encoding="utf-8")

    completed = run_cli("docs", "--output", str(stale), "--check")

    assert completed.returncode == 1
    assert single_json(completed.stdout)["up_to_date"] is False
    assert stale.read_text(encoding="utf-8") == "# An old reference\n"


def test_cli_check_needs_output():
    completed = run_cli("docs", "--check")

    assert completed.returncode == 2
    assert json.loads(completed.stdout)["error"]["type"] == "usage"


def test_cli_output_folder(tmp_path):
    completed = run_cli("docs", "--output", str(tmp_path))
    error = single_json(completed.stdout)["error"]

    assert completed.returncode == 2
    assert error["type"] == "usage"
    assert error["message"] == (
        f"--output {tmp_path} is a folder. Pass a file path, such as docs/actions.md"
    )
    assert "Traceback" not in completed.stderr


def test_cli_check_output_folder(tmp_path):
    completed = run_cli("docs", "--output", str(tmp_path), "--check")

    assert completed.returncode == 2
    assert single_json(completed.stdout)["error"]["type"] == "usage"


def test_cli_output_parent_is_file(tmp_path):
    parent = tmp_path / "notes.txt"
    parent.write_text("not a folder\n", encoding="utf-8")
    output = parent / "actions.md"

    completed = run_cli("docs", "--output", str(output))
    error = single_json(completed.stdout)["error"]

    assert completed.returncode == 2
    assert error["message"] == (
        f"Could not write --output {output}: {parent} is a file, not a folder"
    )
    assert parent.read_text(encoding="utf-8") == "not a folder\n"


@pytest.mark.skipif(sys.platform == "win32", reason="expects the POSIX error text")
def test_cli_output_oserror_reason(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    output = blocker / "sub" / "actions.md"

    completed = run_cli("docs", "--output", str(output))
    error = single_json(completed.stdout)["error"]

    assert completed.returncode == 2
    assert error["message"] == (
        f"Could not write --output {output}: Not a directory: {blocker / 'sub'}"
    )


def test_cli_check_not_utf8(tmp_path):
    stale = tmp_path / "actions.md"
    stale.write_bytes(b"\xff\xfe not UTF-8\n")

    completed = run_cli("docs", "--output", str(stale), "--check")

    assert completed.returncode == 1
    assert single_json(completed.stdout)["up_to_date"] is False
