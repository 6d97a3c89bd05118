"""Checks of the manifest files against what Swimlane Turbine reads from them.

Swimlane's connector-def-runner 2.3.18 (PyPI, MIT licence) and the swimlane-core 1.1.1 input
handler read these parts of a connector:

- every ``*.yaml`` below the connector root. A document with ``schema: action/1`` and the
  action's ``name`` is the action schema, and one with ``schema: asset/1`` and the asset's
  ``name`` is the asset schema. When two files match, the last one read wins.
- the asset name ``http_basic``. swimlane-core picks it when the asset has ``username`` and
  ``password``, and the runner then calls its method of that name, which sends HTTP Basic auth.
- of an action: ``meta.method``, ``meta.endpoint`` (a mustache template rendered by chevron with
  ``path_parameters``), the optional ``meta.headers`` and ``meta.outputType``, the input keys
  ``headers``, ``parameters``, ``data_body``, ``json_body``, ``files`` and ``path_parameters``,
  and ``output.properties.file``.

``check_swimlane_shape`` returns every problem, each naming the file and the field, so that
``bitdefender-connector validate`` catches a manifest edit that would stop Swimlane loading it.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

ACTION_SCHEMA = "action/1"
ASSET_SCHEMA = "asset/1"
ASSET_NAME = "http_basic"
# Input keys that the runner turns into parts of the HTTP request.
RUNNER_INPUT_KEYS = ("headers", "parameters", "data_body", "json_body", "files", "path_parameters")
# Input keys that the runner uses as mappings: query parameters, headers and mustache values.
OBJECT_INPUT_KEYS = ("headers", "parameters", "path_parameters")
# Asset fields that the platform hands to the runner for http_basic, with their JSON types.
ASSET_FIELD_TYPES = {
    "url": "string",
    "username": "string",
    "password": "string",
    "verify_ssl": "boolean",
    "http_proxy": "string",
}
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
OUTPUT_TYPES = ("json", "xml")

_MUSTACHE_TAG = re.compile(r"\{\{(.*?)\}\}")
# A plain variable tag such as "{{ type }}". Sections, partials, comments and unescaped tags
# have a sigil after the braces and are rejected.
_VARIABLE_TAG = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")


def check_swimlane_shape(root: Path) -> list[str]:
    """Return the problems that would stop Swimlane from loading or running the manifest.

    ``root`` is the folder holding connector.yaml, whose ``connection`` names the asset file
    and whose ``actions`` lists the action ids. An empty list means no problem was found.
    """
    connector, problem = _load(root / "connector.yaml", "connector.yaml")
    if problem:
        return [problem]
    connection_file = connector.get("connection")
    action_ids = connector.get("actions")
    if not isinstance(connection_file, str) or not isinstance(action_ids, list):
        return ["connector.yaml: connection and actions: are missing"]
    problems: list[str] = []
    asset_path = root / connection_file
    problems += _check_asset(asset_path, _relative(root, asset_path))
    for action_id in action_ids:
        path = root / "actions" / f"{action_id}.yaml"
        problems += _check_action(path, _relative(root, path), action_id)
    problems += _check_discovery(root, asset_path, action_ids)
    return problems


def _check_asset(path: Path, where: str) -> list[str]:
    document, problem = _load(path, where)
    if problem:
        return [problem]
    problems = []
    if document.get("schema") != ASSET_SCHEMA:
        problems.append(f"{where}: schema: must be {ASSET_SCHEMA!r}")
    if document.get("name") != ASSET_NAME:
        problems.append(
            f"{where}: name: must be {ASSET_NAME!r}, the asset that swimlane-core selects for a "
            "username and password and that the runner authenticates with HTTP Basic"
        )
    if path.stem != document.get("name"):
        problems.append(f"{where}: name: must equal the file name {path.stem!r}")
    problems += _check_text(document, "title", where)

    inputs = document.get("inputs")
    properties = inputs.get("properties") if isinstance(inputs, Mapping) else None
    if not isinstance(inputs, Mapping) or inputs.get("type") != "object":
        problems.append(f"{where}: inputs.type: must be 'object'")
    if not isinstance(properties, Mapping):
        problems.append(f"{where}: inputs.properties: must be a mapping of the asset fields")
        properties = {}
    for name, json_type in ASSET_FIELD_TYPES.items():
        field = properties.get(name)
        if not isinstance(field, Mapping):
            problems.append(f"{where}: inputs.properties.{name}: is missing")
        elif field.get("type") != json_type:
            problems.append(f"{where}: inputs.properties.{name}.type: must be {json_type!r}")

    meta = document.get("meta")
    security = meta.get("security") if isinstance(meta, Mapping) else None
    if not isinstance(security, Mapping):
        problems.append(f"{where}: meta.security: is missing")
    else:
        if security.get("type") != "http":
            problems.append(f"{where}: meta.security.type: must be 'http'")
        if security.get("scheme") != "basic":
            problems.append(f"{where}: meta.security.scheme: must be 'basic'")
    if isinstance(meta, Mapping):
        problems += _check_headers(meta, where)
    return problems


def _check_action(path: Path, where: str, action_id: str) -> list[str]:
    document, problem = _load(path, where)
    if problem:
        return [problem]
    problems = []
    if document.get("schema") != ACTION_SCHEMA:
        problems.append(f"{where}: schema: must be {ACTION_SCHEMA!r}")
    if document.get("name") != action_id:
        problems.append(
            f"{where}: name: must be {action_id!r}, because Swimlane finds the action by name"
        )
    problems += _check_text(document, "title", where)
    problems += _check_inputs(document.get("inputs"), where)

    output = document.get("output")
    if not isinstance(output, Mapping):
        problems.append(f"{where}: output: must be a mapping")
    else:
        output_file = (output.get("properties") or {}).get("file")
        if output_file is not None and not (
            isinstance(output_file, Mapping) and output_file.get("type") in ("object", "array")
        ):
            problems.append(
                f"{where}: output.properties.file.type: must be 'object' or 'array', because "
                "the runner reads it to decide how to return a downloaded file"
            )

    meta = document.get("meta")
    if not isinstance(meta, Mapping):
        return [*problems, f"{where}: meta: must be a mapping with endpoint and method"]
    if meta.get("method") not in HTTP_METHODS:
        problems.append(
            f"{where}: meta.method: {meta.get('method')!r} is not one of {', '.join(HTTP_METHODS)}"
        )
    if "outputType" in meta and meta["outputType"] not in OUTPUT_TYPES:
        problems.append(f"{where}: meta.outputType: must be 'json' or 'xml'")
    problems += _check_headers(meta, where)
    problems += _check_endpoint(meta.get("endpoint"), document.get("inputs"), where)
    return problems


def _check_inputs(inputs: Any, where: str) -> list[str]:
    if not isinstance(inputs, Mapping) or inputs.get("type") != "object":
        return [f"{where}: inputs.type: must be 'object'"]
    properties = inputs.get("properties")
    if not isinstance(properties, Mapping):
        return [f"{where}: inputs.properties: must be a mapping"]
    problems = []
    for key, schema in properties.items():
        if key not in RUNNER_INPUT_KEYS:
            problems.append(
                f"{where}: inputs.properties.{key}: the runner ignores this key; use one of "
                f"{', '.join(RUNNER_INPUT_KEYS)}"
            )
        elif key in OBJECT_INPUT_KEYS and (
            not isinstance(schema, Mapping) or schema.get("type") != "object"
        ):
            problems.append(f"{where}: inputs.properties.{key}.type: must be 'object'")
    return problems


def _check_endpoint(endpoint: Any, inputs: Any, where: str) -> list[str]:
    if not isinstance(endpoint, str) or not endpoint.strip():
        return [f"{where}: meta.endpoint: must be a non-empty path"]
    if "://" in endpoint:
        return [f"{where}: meta.endpoint: must be a path relative to the asset url, not a full URL"]
    declared = _path_parameter_names(inputs)
    problems = []
    for match in _MUSTACHE_TAG.finditer(endpoint):
        tag = match.group(0)
        variable = _VARIABLE_TAG.match(match.group(1))
        if variable is None:
            problems.append(
                f"{where}: meta.endpoint: {tag} is not a plain mustache variable such as "
                "{{ type }}; chevron would not render it as a path parameter"
            )
        elif variable.group(1) not in declared:
            problems.append(
                f"{where}: meta.endpoint: {tag} has no schema under "
                "inputs.properties.path_parameters.properties"
            )
    remainder = _MUSTACHE_TAG.sub("", endpoint)
    if "{{" in remainder or "}}" in remainder:
        problems.append(f"{where}: meta.endpoint: has an unbalanced {{{{ or }}}}")
    return problems


def _check_headers(meta: Mapping[str, Any], where: str) -> list[str]:
    if "headers" not in meta:
        return []
    headers = meta["headers"]
    if not isinstance(headers, Mapping) or not all(
        isinstance(value, str) for value in headers.values()
    ):
        return [f"{where}: meta.headers: must map header names to text"]
    return []


def _check_text(document: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = document.get(key)
    if not isinstance(value, str) or not value.strip():
        return [f"{where}: {key}: must be non-empty text, because Swimlane shows it"]
    return []


def _check_discovery(root: Path, asset_path: Path, action_ids: list[str]) -> list[str]:
    """Return a problem for each other YAML file that Swimlane would load as our asset or action."""
    expected = {asset_path.resolve()} | {
        (root / "actions" / f"{action_id}.yaml").resolve() for action_id in action_ids
    }
    problems = []
    # Like swimlane-core, glob.glob with "**" skips files and folders whose name starts with a
    # dot, such as .venv.
    for name in sorted(glob.glob("**/*.yaml", root_dir=root, recursive=True)):
        path = root / name
        if path.resolve() in expected:
            continue
        document, problem = _load(path, _relative(root, path))
        if problem:
            continue
        schema, name = document.get("schema"), document.get("name")
        if (schema == ASSET_SCHEMA and name == ASSET_NAME) or (
            schema == ACTION_SCHEMA and name in action_ids
        ):
            problems.append(
                f"{_relative(root, path)}: name: {name!r} is also declared by another "
                f"{schema} file, and Swimlane would load either of them; rename or remove one"
            )
    return problems


def _path_parameter_names(inputs: Any) -> set[str]:
    if not isinstance(inputs, Mapping):
        return set()
    path_parameters = (inputs.get("properties") or {}).get("path_parameters")
    if not isinstance(path_parameters, Mapping):
        return set()
    return set(path_parameters.get("properties") or {})


def _load(path: Path, where: str) -> tuple[Mapping[str, Any], str | None]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        return {}, f"{where}: cannot be read: {error.strerror}"
    except yaml.YAMLError as error:
        return {}, f"{where}: invalid YAML: {error}"
    if not isinstance(document, Mapping):
        return {}, f"{where}: must contain a YAML mapping"
    return document, None


def _relative(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
