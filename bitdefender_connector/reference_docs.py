"""The action reference: Markdown generated from the manifest, written to docs/actions.md.

The output depends only on the manifest files, so regenerating an unchanged manifest gives the
same bytes and a test can detect a stale committed copy.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import referencing

from .manifest import DEFINITIONS_FILE, Action, Manifest, load_manifest
from .validation import SCHEMA_BASE_URI, build_registry, json_type_name

DEFAULT_OUTPUT = "docs/actions.md"
# A guard against reference cycles: deeper levels keep their $ref unexpanded. The manifest's
# schemas currently nest 16 levels deep, counting every mapping.
MAX_SCHEMA_DEPTH = 64
MAX_PATTERN_LENGTH = 40

KIND_TEXT = {
    "task": "yes",
    "read": "no, it only reads",
    "config": "no, it changes configuration",
}


@dataclass(frozen=True)
class FieldRow:
    """One row of an input or output table."""

    path: str
    type: str
    required: bool
    allowed: str
    description: str


def render_reference(manifest: Manifest) -> str:
    """Return the Markdown reference of the connection and every action in ``manifest``."""
    registry = _definitions_registry(manifest)
    parts = [
        _render_header(manifest),
        _render_connection(manifest),
        *(_render_action(manifest, action, registry) for action in manifest.actions.values()),
    ]
    # Each section ends with exactly one newline, so one blank line separates sections.
    return "\n".join(part.rstrip("\n") + "\n" for part in parts)


# Sections


def _render_header(manifest: Manifest) -> str:
    lines = [
        f"# {manifest.title} action reference",
        "",
        f"Connector `{manifest.name}` version {manifest.version}. This file is generated from "
        "`connector.yaml`, `actions/*.yaml` and `schemas/` by "
        f"`bitdefender-connector docs --output {DEFAULT_OUTPUT}`. Change the manifest and "
        "regenerate it instead of editing it by hand.",
        "",
        "Every action sends one JSON-RPC 2.0 request with HTTP POST and returns the envelope "
        "`{status_code, reason, response_headers, json_body}`. Field paths below are paths in "
        "the action input or in the envelope, and `[]` stands for every element of an array.",
        "",
        "## Contents",
        "",
        "- [Connection](#connection)",
    ]
    lines += [f"- [{a.title}](#{a.name}) (`{a.name}`)" for a in manifest.actions.values()]
    return "\n".join(lines) + "\n"


def _render_connection(manifest: Manifest) -> str:
    from .connection import ENVIRONMENT_VARIABLES

    schema = manifest.connection_schema
    inputs = schema.get("inputs", {})
    required = set(inputs.get("required", ()))
    lines = [
        "## Connection",
        "",
        _text(schema.get("description", "")),
        "",
        "| field | type | required | default | environment variable | description |",
        "|---|---|---|---|---|---|",
    ]
    for name, field in inputs.get("properties", {}).items():
        default = f"`{_json(field['default'])}`" if "default" in field else ""
        variable = ENVIRONMENT_VARIABLES.get(name)
        lines.append(
            _table_row(
                f"`{name}`",
                _type_text(field),
                "yes" if name in required else "no",
                default,
                f"`{variable}`" if variable else "",
                _text(field.get("description") or field.get("title", "")),
            )
        )
    lines.append("")
    lines += _render_connection_test(manifest)
    return "\n".join(lines) + "\n"


def _render_connection_test(manifest: Manifest) -> list[str]:
    spec = manifest.connection_test
    if spec is None:
        return []
    lines = [
        "### Connection test",
        "",
        f"`bitdefender-connector test-connection` and `Connector.test_connection()` send "
        f"`{spec.jsonrpc_method}` with empty params to `{spec.http_method} {spec.endpoint}`. "
        "The key's enabled API areas are compared with the area each action needs:",
        "",
        "| action API area | name in enabledApis |",
        "|---|---|",
    ]
    lines += [_table_row(area, f"`{name}`") for area, name in spec.enabled_api_names.items()]
    lines += ["", f"Source: {_text(spec.source)}", ""]
    return lines


def _render_action(manifest: Manifest, action: Action, registry: referencing.Registry) -> str:
    lines = [
        f"## {action.name}",
        "",
        f"**{action.title}.** {_text(action.description)}",
        "",
        "| | |",
        "|---|---|",
        _table_row("HTTP method and path", f"`{action.http_method} {action.endpoint.source}`"),
        _table_row("JSON-RPC method", f"`{action.jsonrpc_method}`"),
        _table_row("API area", action.api_area),
        _table_row("Rate-limit class", _rate_limit_text(manifest, action)),
        _table_row("Creates tasks", KIND_TEXT.get(action.kind, action.kind)),
    ]
    if action.aliases:
        lines.append(_table_row("Aliases", ", ".join(f"`{a}`" for a in action.aliases)))
    if _is_list_action(action):
        lines.append(
            _table_row(
                "All pages",
                "`--all-pages` on the CLI or `all_pages=True` in Python requests every page "
                "and returns all items in one envelope, with `json_body.result.pages`, the "
                "number of page requests made",
            )
        )
    lines += ["", "### Input", ""]
    lines += _render_fields(_field_rows(registry, action, "inputs"))
    lines += ["", "### Output", ""]
    lines += _render_fields(_field_rows(registry, action, "output"))
    if action.notes:
        lines += ["", "### Notes", ""]
        lines += [f"- {_text(note)}" for note in action.notes]
    lines += ["", "### Input example", "", *_json_block(action.example_input)]
    lines += ["", "### Output example", "", *_json_block(action.example_output), ""]
    return "\n".join(lines) + "\n"


def _render_fields(rows: list[FieldRow]) -> list[str]:
    lines = [
        "| field | type | required | allowed values | description |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            _table_row(
                f"`{row.path}`",
                row.type,
                "yes" if row.required else "no",
                row.allowed,
                row.description,
            )
        )
    return lines


def _rate_limit_text(manifest: Manifest, action: Action) -> str:
    limit = manifest.rate_limit_classes[action.rate_limit_class]
    burst = f"a burst of {limit.burst} queued" if limit.burst else "no burst"
    return (
        f"`{limit.name}`: {limit.requests} requests per {limit.period_seconds:g} s per API "
        f"key, {burst}"
    )


def _is_list_action(action: Action) -> bool:
    from .page_walker import is_list_action

    return is_list_action(action)


# Field tables


def field_rows(manifest: Manifest, action: Action, schema_key: str) -> list[FieldRow]:
    """Return the table rows of the action's ``inputs`` or ``output`` schema."""
    return _field_rows(_definitions_registry(manifest), action, schema_key)


def _field_rows(registry: referencing.Registry, action: Action, schema_key: str) -> list[FieldRow]:
    schema = action.inputs_schema if schema_key == "inputs" else action.output_schema
    # The base URI makes relative references such as definitions.json#/$defs/page resolve
    # inside schemas/, as they do when the manifest is loaded.
    resolver = registry.resolver(base_uri=f"{SCHEMA_BASE_URI}{action.name}.{schema_key}.json")
    return list(_walk_fields(_flatten(_inline(schema, resolver, 0)), ""))


def _walk_fields(schema: Mapping[str, Any], prefix: str) -> Iterator[FieldRow]:
    required = set(schema.get("required", ()))
    for name, raw in schema.get("properties", {}).items():
        field = _flatten(raw)
        path = f"{prefix}.{name}" if prefix else name
        yield FieldRow(
            path=path,
            type=_type_text(field),
            required=name in required,
            allowed=_allowed_text(field),
            description=_text(field.get("description") or field.get("title", "")),
        )
        yield from _walk_fields(field, path)
        items = field.get("items")
        if isinstance(items, Mapping):
            yield from _walk_fields(_flatten(items), f"{path}[]")


def _definitions_registry(manifest: Manifest) -> referencing.Registry:
    path = manifest.root / "schemas" / DEFINITIONS_FILE
    return build_registry({DEFINITIONS_FILE: json.loads(path.read_text(encoding="utf-8"))})


def _inline(schema: Any, resolver: referencing.Resolver, depth: int) -> Any:
    """Return ``schema`` with every ``$ref`` replaced by its target merged under local keys."""
    if isinstance(schema, list):
        return [_inline(item, resolver, depth) for item in schema]
    if not isinstance(schema, Mapping) or depth > MAX_SCHEMA_DEPTH:
        return schema
    merged: dict[str, Any] = {}
    if isinstance(schema.get("$ref"), str):
        target = resolver.lookup(schema["$ref"])
        merged = _inline(target.contents, target.resolver, depth + 1)
    local = {
        key: _inline(value, resolver, depth + 1) for key, value in schema.items() if key != "$ref"
    }
    return _deep_merge(merged, local)


def _flatten(schema: Any) -> dict[str, Any]:
    """Return ``schema`` with allOf merged in and the properties of anyOf/oneOf branches added."""
    if not isinstance(schema, Mapping):
        return {}
    flat: dict[str, Any] = {}
    for part in schema.get("allOf", ()):
        flat = _deep_merge(flat, _flatten(part))
    for keyword in ("anyOf", "oneOf"):
        for branch in schema.get(keyword, ()):
            branch = _flatten(branch)
            if "properties" in branch:
                flat = _deep_merge(flat, {"properties": branch["properties"]})
    own = {key: value for key, value in schema.items() if key != "allOf"}
    return _deep_merge(flat, own)


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _type_text(schema: Mapping[str, Any]) -> str:
    names = _type_names(schema)
    if names == ["array"]:
        items = schema.get("items")
        item_names = _type_names(_flatten(items)) if isinstance(items, Mapping) else []
        if len(item_names) == 1:
            return f"array of {item_names[0]}"
    return " or ".join(names) or "any"


def _type_names(schema: Mapping[str, Any]) -> list[str]:
    declared = schema.get("type")
    names = [declared] if isinstance(declared, str) else list(declared or ())
    for keyword in ("anyOf", "oneOf"):
        for branch in schema.get(keyword, ()):
            names += _type_names(_flatten(branch))
    if not names and "const" in schema:
        names.append(json_type_name(schema["const"]))
    return list(dict.fromkeys(names))


def _allowed_text(schema: Mapping[str, Any]) -> str:
    parts: list[str] = []
    if "const" in schema:
        parts.append(f"only `{_json(schema['const'])}`")
    if "enum" in schema:
        parts.append(", ".join(f"`{_json(value)}`" for value in schema["enum"]))
    parts += _range_texts(schema)
    parts += _pattern_texts(schema)
    if schema.get("format") == "password" or schema.get("writeOnly"):
        parts.append("secret, masked in dry runs and messages")
    elif "format" in schema:
        parts.append(f"format {schema['format']}")
    if "default" in schema and "const" not in schema:
        parts.append(f"default `{_json(schema['default'])}`")
    return "; ".join(parts)


def _range_texts(schema: Mapping[str, Any]) -> list[str]:
    texts = []
    for low_key, high_key, unit in (
        ("minimum", "maximum", ""),
        ("minItems", "maxItems", " items"),
        ("minLength", "maxLength", " characters"),
    ):
        low, high = schema.get(low_key), schema.get(high_key)
        if low is not None and high is not None:
            texts.append(f"{low} to {high}{unit}")
        elif high is not None:
            texts.append(f"at most {high}{unit}")
        elif low is not None and not (low_key == "minLength" and low == 1):
            texts.append(f"at least {low}{unit}")
        elif low == 1:
            texts.append("not empty")
    return texts


def _pattern_texts(schema: Mapping[str, Any]) -> list[str]:
    """Return the field's pattern, or its items' pattern, when it is short enough to read."""
    items = schema.get("items")
    if isinstance(schema.get("pattern"), str):
        pattern, label = schema["pattern"], "matching"
    elif isinstance(items, Mapping) and isinstance(items.get("pattern"), str):
        pattern, label = items["pattern"], "each matching"
    else:
        return []
    # Longer patterns, such as the ISO 8601 one, are left to the description's example.
    return [f"{label} `{pattern}`"] if len(pattern) <= MAX_PATTERN_LENGTH else []


# Text helpers


def _text(value: Any) -> str:
    """Return ``value`` on one line, with the Markdown table separator escaped."""
    return " ".join(str(value).split()).replace("|", "\\|")


def _table_row(*cells: str) -> str:
    return "| " + " | ".join(_text(cell) for cell in cells) + " |"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _json_block(value: Any) -> list[str]:
    return ["```json", json.dumps(value, indent=2, ensure_ascii=False), "```"]


# Command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the docs options."""
    parser.add_argument(
        "--output",
        metavar="FILE",
        help=f"write the Markdown to FILE, for example {DEFAULT_OUTPUT}, and print a JSON "
        "summary. Without it the Markdown goes to stdout",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="with --output, write nothing and exit 1 when FILE differs from a fresh generation",
    )


def run(args: argparse.Namespace) -> int:
    """Generate the reference and write, print or check it."""
    from .cli import UsageError
    from .errors import EXIT_SERVICE_FAILURE, EXIT_SUCCESS

    manifest = load_manifest(Path(args.manifest) if args.manifest else None)
    text = render_reference(manifest)
    if args.output is None:
        if args.check:
            raise UsageError("--check needs --output FILE, the file to compare")
        sys.stdout.write(text)
        return EXIT_SUCCESS

    output = Path(args.output)
    if output.is_dir():
        raise UsageError(
            f"--output {output} is a folder. Pass a file path, such as {DEFAULT_OUTPUT}"
        )
    summary: dict[str, Any] = {"output": str(output), "actions": len(manifest.actions)}
    if args.check:
        current = _read_current(output)
        summary["up_to_date"] = current == text
        if not summary["up_to_date"]:
            print(
                f"{output} is out of date. Run 'bitdefender-connector docs --output {output}'",
                file=sys.stderr,
            )
    else:
        _write_reference(output, text)
    sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    return EXIT_SUCCESS if summary.get("up_to_date", True) else EXIT_SERVICE_FAILURE


def _read_current(output: Path) -> str | None:
    """Return the text of ``output``, or None when the file does not exist or is not UTF-8."""
    from .cli import UsageError

    try:
        return output.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        # A generated reference is UTF-8, so this file is out of date.
        return None
    except OSError as error:
        raise UsageError(f"Could not read --output {output}: {_reason(error, output)}") from None


def _write_reference(output: Path, text: str) -> None:
    """Write ``text`` to ``output``, creating missing parent folders."""
    from .cli import UsageError

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except FileExistsError as error:
        # mkdir with exist_ok raises this only when the path exists and is not a folder.
        raise UsageError(
            f"Could not write --output {output}: {error.filename} is a file, not a folder"
        ) from None
    except OSError as error:
        raise UsageError(f"Could not write --output {output}: {_reason(error, output)}") from None


def _reason(error: OSError, output: Path) -> str:
    """Return the system's reason for ``error``, naming the path when it is not ``output``.

    A failed mkdir reports the parent folder, such as a parent that is a file.
    """
    reason = error.strerror or str(error)
    if error.filename is not None and Path(error.filename) != output:
        return f"{reason}: {error.filename}"
    return reason
