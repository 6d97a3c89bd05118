"""The Swimlane shape check names the file and field of every part that Swimlane would misread."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from bitdefender_connector.manifest import default_root
from bitdefender_connector.swimlane_shape import check_swimlane_shape


def copy_manifest(destination: Path) -> Path:
    source = default_root()
    destination.mkdir(parents=True)
    shutil.copy2(source / "connector.yaml", destination / "connector.yaml")
    shutil.copytree(source / "actions", destination / "actions")
    shutil.copytree(source / "schemas", destination / "schemas")
    return destination


def read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_yaml(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def edit_file(root: Path, relative: str, change) -> None:
    path = root / relative
    document = read_yaml(path)
    change(document)
    write_yaml(path, document)


def test_repository_manifest_has_no_problems():
    assert check_swimlane_shape(default_root()) == []


def test_unmodified_copy_has_no_problems(tmp_path):
    root = copy_manifest(tmp_path / "manifest")

    assert check_swimlane_shape(root) == []


def test_unknown_input_key(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    edit_file(
        root,
        "actions/isolate_host.yaml",
        lambda document: document["inputs"]["properties"].update(query={"type": "object"}),
    )

    problems = check_swimlane_shape(root)

    assert len(problems) == 1
    assert problems[0].startswith("actions/isolate_host.yaml: inputs.properties.query: ")


def test_path_parameters_not_object(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    edit_file(
        root,
        "actions/get_quarantine_items.yaml",
        lambda document: document["inputs"]["properties"]["path_parameters"].update(type="string"),
    )

    problems = check_swimlane_shape(root)

    assert problems == [
        "actions/get_quarantine_items.yaml: inputs.properties.path_parameters.type: "
        "must be 'object'"
    ]


def test_endpoint_section_tag(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    edit_file(
        root,
        "actions/get_quarantine_items.yaml",
        lambda document: document["meta"].update(
            endpoint="api/v1.0/jsonrpc/quarantine/{{#type}}x{{/type}}"
        ),
    )

    problems = check_swimlane_shape(root)

    assert len(problems) == 2
    assert "meta.endpoint: {{#type}} is not a plain mustache variable" in problems[0]
    assert "meta.endpoint: {{/type}} is not a plain mustache variable" in problems[1]


def test_endpoint_undeclared_placeholder(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    edit_file(
        root,
        "actions/isolate_host.yaml",
        lambda document: document["meta"].update(endpoint="api/v1.0/jsonrpc/{{ area }}"),
    )

    problems = check_swimlane_shape(root)

    assert problems == [
        "actions/isolate_host.yaml: meta.endpoint: {{ area }} has no schema under "
        "inputs.properties.path_parameters.properties"
    ]


def test_endpoint_unbalanced_braces(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    edit_file(
        root,
        "actions/get_quarantine_items.yaml",
        lambda document: document["meta"].update(endpoint="api/v1.0/jsonrpc/quarantine/{{ type"),
    )

    problems = check_swimlane_shape(root)

    assert problems == [
        "actions/get_quarantine_items.yaml: meta.endpoint: has an unbalanced {{ or }}"
    ]


def test_full_url_endpoint(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    edit_file(
        root,
        "actions/isolate_host.yaml",
        lambda document: document["meta"].update(endpoint="https://example.invalid/api"),
    )

    problems = check_swimlane_shape(root)

    assert len(problems) == 1
    assert problems[0].startswith("actions/isolate_host.yaml: meta.endpoint: must be a path")


def test_unknown_http_method(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    edit_file(
        root, "actions/delete_rule.yaml", lambda document: document["meta"].update(method="FETCH")
    )

    problems = check_swimlane_shape(root)

    assert len(problems) == 1
    assert problems[0].startswith("actions/delete_rule.yaml: meta.method: 'FETCH' is not one of")


def test_action_name_mismatch(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    edit_file(root, "actions/get_rules.yaml", lambda document: document.update(name="list_rules"))

    problems = check_swimlane_shape(root)

    assert len(problems) == 1
    assert problems[0].startswith("actions/get_rules.yaml: name: must be 'get_rules'")


def test_missing_title(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    edit_file(root, "actions/get_rules.yaml", lambda document: document.pop("title"))

    problems = check_swimlane_shape(root)

    assert len(problems) == 1
    assert problems[0].startswith("actions/get_rules.yaml: title: must be non-empty text")


def test_output_file_without_type(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    edit_file(
        root,
        "actions/get_rules.yaml",
        lambda document: document["output"]["properties"].update(file={"title": "File"}),
    )

    problems = check_swimlane_shape(root)

    assert len(problems) == 1
    assert problems[0].startswith("actions/get_rules.yaml: output.properties.file.type: ")


def test_meta_headers_not_text(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    edit_file(
        root,
        "actions/get_rules.yaml",
        lambda document: document["meta"].update(headers={"X-Retries": 3}),
    )

    problems = check_swimlane_shape(root)

    assert problems == ["actions/get_rules.yaml: meta.headers: must map header names to text"]


def test_asset_renamed(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    edit_file(root, "schemas/http_basic.yaml", lambda document: document.update(name="gz_key"))

    problems = check_swimlane_shape(root)

    assert len(problems) == 2
    assert problems[0].startswith("schemas/http_basic.yaml: name: must be 'http_basic'")
    assert problems[1] == "schemas/http_basic.yaml: name: must equal the file name 'http_basic'"


def test_asset_missing_proxy_field(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    edit_file(
        root,
        "schemas/http_basic.yaml",
        lambda document: document["inputs"]["properties"].pop("http_proxy"),
    )

    problems = check_swimlane_shape(root)

    assert problems == ["schemas/http_basic.yaml: inputs.properties.http_proxy: is missing"]


def test_asset_verify_ssl_wrong_type(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    edit_file(
        root,
        "schemas/http_basic.yaml",
        lambda document: document["inputs"]["properties"]["verify_ssl"].update(type="string"),
    )

    problems = check_swimlane_shape(root)

    assert problems == [
        "schemas/http_basic.yaml: inputs.properties.verify_ssl.type: must be 'boolean'"
    ]


def test_asset_bearer_scheme(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    edit_file(
        root,
        "schemas/http_basic.yaml",
        lambda document: document["meta"]["security"].update(scheme="bearer"),
    )

    problems = check_swimlane_shape(root)

    assert problems == ["schemas/http_basic.yaml: meta.security.scheme: must be 'basic'"]


def test_duplicate_action_file(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    write_yaml(root / "old" / "isolate.yaml", read_yaml(root / "actions" / "isolate_host.yaml"))

    problems = check_swimlane_shape(root)

    assert len(problems) == 1
    assert problems[0].startswith("old/isolate.yaml: name: 'isolate_host' is also declared")


def test_duplicate_asset_file(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    write_yaml(root / "examples" / "asset.yaml", read_yaml(root / "schemas" / "http_basic.yaml"))

    problems = check_swimlane_shape(root)

    assert len(problems) == 1
    assert problems[0].startswith("examples/asset.yaml: name: 'http_basic' is also declared")


def test_hidden_folder_ignored(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    write_yaml(root / ".cache" / "isolate.yaml", read_yaml(root / "actions" / "isolate_host.yaml"))

    assert check_swimlane_shape(root) == []


def test_invalid_yaml_action(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    (root / "actions" / "get_rules.yaml").write_text("schema: [action/1\n", encoding="utf-8")

    problems = check_swimlane_shape(root)

    assert len(problems) == 1
    assert problems[0].startswith("actions/get_rules.yaml: invalid YAML: ")


def test_cli_validate_rejects_duplicate(tmp_path):
    root = copy_manifest(tmp_path / "manifest")
    write_yaml(root / "old" / "isolate.yaml", read_yaml(root / "actions" / "isolate_host.yaml"))
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("BITDEFENDER_")
    }

    completed = subprocess.run(  # noqa: S603 - runs this package with fixed arguments
        [sys.executable, "-m", "bitdefender_connector", "--manifest", str(root), "validate"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )

    assert completed.returncode == 2
    error = json.loads(completed.stdout)["error"]
    assert error["type"] == "invalid_manifest"
    assert "old/isolate.yaml: name: 'isolate_host'" in error["message"]
