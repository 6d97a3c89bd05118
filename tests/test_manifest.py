"""The manifest loader accepts the packaged manifest and rejects broken copies by file and field."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bitdefender_connector import ManifestError
from bitdefender_connector.manifest import default_root, load_manifest

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


def copy_manifest(destination: Path) -> Path:
    """Copy connector.yaml, actions/ and schemas/ of the repository into ``destination``."""
    source = default_root()
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "connector.yaml", destination / "connector.yaml")
    shutil.copytree(source / "actions", destination / "actions")
    shutil.copytree(source / "schemas", destination / "schemas")
    return destination


def read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_yaml(path: Path, document: Any) -> None:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def edit_action(root: Path, action_id: str) -> tuple[Path, dict[str, Any]]:
    path = root / "actions" / f"{action_id}.yaml"
    return path, read_yaml(path)


def load_error(root: Path) -> str:
    """Return the message of the ManifestError that loading ``root`` raises."""
    with pytest.raises(ManifestError) as caught:
        load_manifest(root)
    return str(caught.value)


def run_cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("BITDEFENDER_")
    }
    return subprocess.run(  # noqa: S603 - runs this package with fixed arguments
        [sys.executable, "-m", "bitdefender_connector", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPOSITORY_ROOT,
        timeout=60,
        check=False,
    )


def test_packaged_manifest_has_fifteen_actions():
    manifest = load_manifest()

    assert len(manifest.actions) == 15


def test_packaged_manifest_aliases():
    manifest = load_manifest()

    assert manifest.aliases == {
        "remove_quarentine_items": "remove_quarantine_items",
        "restore_quarantine_exchage_item": "restore_quarantine_exchange_item",
    }


def test_unmodified_copy_loads(tmp_path):
    root = copy_manifest(tmp_path / "manifest")

    assert len(load_manifest(root).actions) == 15


def test_bad_meta_kind(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "isolate_host")
    document["meta"]["kind"] = "destroy"
    write_yaml(path, document)

    message = load_error(root)

    assert "actions/isolate_host.yaml" in message
    assert "meta.kind" in message
    assert "'destroy'" in message


def test_missing_jsonrpc_method(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "isolate_host")
    del document["meta"]["jsonrpc_method"]
    write_yaml(path, document)

    message = load_error(root)

    assert "actions/isolate_host.yaml" in message
    assert "meta.jsonrpc_method" in message


def test_method_const_differs(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "isolate_host")
    method = document["inputs"]["properties"]["json_body"]["properties"]["method"]
    method["const"] = "createRestoreEndpointFromIsolationTask"
    write_yaml(path, document)

    message = load_error(root)

    assert "actions/isolate_host.yaml" in message
    assert "inputs.properties.json_body.properties.method.const" in message
    assert "'createIsolateEndpointTask'" in message


def test_method_default_differs(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "isolate_host")
    method = document["inputs"]["properties"]["json_body"]["properties"]["method"]
    method["default"] = "createRestoreEndpointFromIsolationTask"
    write_yaml(path, document)

    message = load_error(root)

    assert "actions/isolate_host.yaml" in message
    assert "inputs.properties.json_body.properties.method.default" in message


def test_unknown_rate_limit_class(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "isolate_host")
    document["meta"]["rate_limit_class"] = "unlimited"
    write_yaml(path, document)

    message = load_error(root)

    assert "actions/isolate_host.yaml" in message
    assert "meta.rate_limit_class" in message
    assert "'unlimited'" in message


def test_example_breaks_input_schema(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "isolate_host")
    document["meta"]["examples"]["input"]["json_body"]["params"]["endpointId"] = "not-an-id"
    write_yaml(path, document)

    message = load_error(root)

    assert "actions/isolate_host.yaml" in message
    assert "meta.examples.input" in message
    assert "json_body.params.endpointId" in message


def test_example_breaks_output_schema(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "isolate_host")
    document["meta"]["examples"]["output"]["status_code"] = "200"
    write_yaml(path, document)

    message = load_error(root)

    assert "actions/isolate_host.yaml" in message
    assert "meta.examples.output" in message
    assert "status_code" in message


def test_invalid_yaml(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path = root / "actions" / "isolate_host.yaml"
    path.write_text("name: isolate_host\nmeta: [unclosed\n", encoding="utf-8")

    message = load_error(root)

    assert "actions/isolate_host.yaml" in message
    assert "invalid YAML" in message
    assert "line" in message


def test_listed_action_without_file(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    connector = read_yaml(root / "connector.yaml")
    connector["actions"].append("scan_endpoint")
    write_yaml(root / "connector.yaml", connector)

    message = load_error(root)

    assert "actions/scan_endpoint.yaml" in message
    assert "cannot be read" in message


def test_action_file_not_listed(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "isolate_host")
    document["name"] = "isolate_host_copy"
    document["meta"].pop("aliases", None)
    write_yaml(root / "actions" / "isolate_host_copy.yaml", document)

    message = load_error(root)

    assert "actions/isolate_host_copy.yaml" in message
    assert "connector.yaml" in message


def test_placeholder_without_schema(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "isolate_host")
    document["meta"]["endpoint"] = "api/v1.0/jsonrpc/quarantine/{{ type }}"
    write_yaml(path, document)

    message = load_error(root)

    assert "actions/isolate_host.yaml" in message
    assert "meta.endpoint" in message
    assert "'type'" in message


def test_path_parameter_not_in_endpoint(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "create_empty_quarantine")
    document["meta"]["endpoint"] = "api/v1.0/jsonrpc/quarantine/computers"
    write_yaml(path, document)

    message = load_error(root)

    assert "actions/create_empty_quarantine.yaml" in message
    assert "inputs.properties.path_parameters.properties.type" in message


@pytest.mark.parametrize(
    "endpoint",
    [
        "api/v1.0/jsonrpc/../general",
        "api/v1.0/jsonrpc/incidents?method=x",
        "https://example.invalid/api/v1.0/jsonrpc/incidents",
        "api/v1.0/jsonrpc/{{ type|attr('x') }}",
    ],
)
def test_endpoint_outside_pattern(endpoint, tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "isolate_host")
    document["meta"]["endpoint"] = endpoint
    write_yaml(path, document)

    message = load_error(root)

    assert "actions/isolate_host.yaml" in message
    assert "meta.endpoint" in message


def test_invalid_json_schema_in_inputs(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "isolate_host")
    params = document["inputs"]["properties"]["json_body"]["properties"]["params"]
    params["properties"]["endpointId"] = {"type": 7}
    write_yaml(path, document)

    message = load_error(root)

    assert "actions/isolate_host.yaml" in message
    assert "inputs.properties.json_body.properties.params.properties.endpointId" in message
    assert "not a valid JSON Schema" in message


def test_name_differs_from_file(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "isolate_host")
    document["name"] = "isolate_endpoint"
    write_yaml(path, document)

    message = load_error(root)

    assert "actions/isolate_host.yaml" in message
    assert "name" in message
    assert "'isolate_endpoint'" in message


def test_alias_collides_with_action(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "isolate_host")
    document["meta"]["aliases"] = ["quarantine_file"]
    write_yaml(path, document)

    message = load_error(root)

    assert "actions/isolate_host.yaml" in message
    assert "meta.aliases" in message
    assert "'quarantine_file'" in message


def test_unknown_action_key(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "isolate_host")
    document["handler"] = "custom.py"
    write_yaml(path, document)

    message = load_error(root)

    assert "actions/isolate_host.yaml" in message
    assert "handler" in message


def test_bad_rate_limit_class_in_connector(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    connector = read_yaml(root / "connector.yaml")
    connector["rate_limit_classes"]["default"]["requests"] = 0
    write_yaml(root / "connector.yaml", connector)

    message = load_error(root)

    assert "connector.yaml" in message
    assert "rate_limit_classes.default.requests" in message


def test_missing_connector_file(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    (root / "connector.yaml").unlink()

    message = load_error(root)

    assert "connector.yaml" in message
    assert "cannot be read" in message


def test_broken_definitions_json(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    (root / "schemas" / "definitions.json").write_text('{"$defs": ', encoding="utf-8")

    message = load_error(root)

    assert "schemas/definitions.json" in message
    assert "invalid JSON" in message


def test_connection_asset_missing_field(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    asset_path = root / "schemas" / "http_basic.yaml"
    asset = read_yaml(asset_path)
    del asset["inputs"]["properties"]["verify_ssl"]
    write_yaml(asset_path, asset)

    message = load_error(root)

    assert "schemas/http_basic.yaml" in message
    assert "verify_ssl" in message


def test_cli_validate_real_manifest():
    completed = run_cli("validate")

    assert completed.returncode == 0
    assert json.loads(completed.stdout)["actions"] == 15


def test_cli_validate_broken_copy(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "isolate_host")
    document["meta"]["kind"] = "destroy"
    write_yaml(path, document)

    completed = run_cli("--manifest", str(root), "validate")

    assert completed.returncode == 2
    assert json.loads(completed.stdout)["error"]["type"] == "invalid_manifest"
    assert "actions/isolate_host.yaml" in completed.stderr


def test_cli_validate_unmodified_copy(tmp_path):
    root = copy_manifest(tmp_path / "manifest")

    completed = run_cli("--manifest", str(root), "validate")

    assert completed.returncode == 0
    assert json.loads(completed.stdout)["valid"] is True
