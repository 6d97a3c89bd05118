"""The compiled validity check against jsonschema: it may accept only what jsonschema accepts.

Each case is checked both ways. Soundness: when the compiled check returns True, jsonschema
must find no error. Completeness, for the manifest's own schemas: every instance that
jsonschema accepts is accepted by the compiled check too, so valid calls never fall back to
the slow path.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import referencing
from jsonschema import Draft202012Validator
from jsonschema_specifications import REGISTRY as SPECIFICATIONS
from referencing.jsonschema import DRAFT202012

from bitdefender_connector.fast_validation import compile_validity_check
from bitdefender_connector.manifest import load_manifest
from bitdefender_connector.validation import SchemaValidator, collect_field_errors

FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER
REPLACEMENTS = (
    None,
    True,
    False,
    0,
    1,
    2,
    1.0,
    2.5,
    -1,
    10**20,
    "",
    "x",
    "1",
    "2.0",
    "computers",
    "5b680f6fb1a43d860a7b23c1",
    "2019-07-28T11:31:28",
    "user@example.com",
    [],
    ["x"],
    [1],
    {},
    {"a": 1},
)


def compile_for(schema: Any, registry: referencing.Registry | None = None):
    validator = SchemaValidator(
        schema, registry=registry or referencing.Registry(), format_checker=FORMAT_CHECKER
    )
    combined = SPECIFICATIONS.combine(registry or referencing.Registry())
    resolver = combined.resolver_with_root(DRAFT202012.create_resource(schema))
    return compile_validity_check(schema, resolver, FORMAT_CHECKER), validator


def mutations(instance: Any) -> Iterator[Any]:
    """Yield copies of ``instance`` with one value replaced, one key removed or one key added."""
    yield instance
    for path in value_paths(instance):
        for replacement in REPLACEMENTS:
            yield replaced(instance, path, replacement)
        if path:
            yield removed(instance, path)
    for path in value_paths(instance):
        target = lookup(instance, path)
        if isinstance(target, dict):
            yield replaced(instance, (*path, "unexpectedField"), 1)


def value_paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from value_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from value_paths(item, (*path, index))


def lookup(value: Any, path: tuple) -> Any:
    for part in path:
        value = value[part]
    return value


def replaced(instance: Any, path: tuple, replacement: Any) -> Any:
    if not path:
        return replacement
    result = copy.deepcopy(instance)
    lookup(result, path[:-1])[path[-1]] = replacement
    return result


def removed(instance: Any, path: tuple) -> Any:
    result = copy.deepcopy(instance)
    del lookup(result, path[:-1])[path[-1]]
    return result


def manifest_cases() -> Iterator[tuple[str, Any, Any]]:
    for action in load_manifest().actions.values():
        yield f"{action.name}.inputs", action.input_validator, action.example_input
        yield f"{action.name}.output", action.output_validator, action.example_output


@pytest.mark.parametrize(
    ("name", "validator", "example"),
    list(manifest_cases()),
    ids=[name for name, _, _ in manifest_cases()],
)
def test_manifest_schema_agrees_with_jsonschema(name, validator, example):
    registry = load_manifest().actions[name.split(".")[0]].input_validator._registry
    check, _ = compile_for(validator.schema, registry)
    unsound = []
    incomplete = []
    for instance in mutations(example):
        valid = validator.is_valid(instance)
        certainly_valid = check(instance)
        if certainly_valid and not valid:
            unsound.append(instance)
        if valid and not certainly_valid:
            incomplete.append(instance)

    assert unsound == []
    assert incomplete == []


@pytest.mark.parametrize(("name", "validator", "example"), list(manifest_cases())[:6])
def test_collect_field_errors_unchanged_by_check(name, validator, example):
    fresh = SchemaValidator(
        validator.schema, registry=validator._registry, format_checker=FORMAT_CHECKER
    )
    for instance in mutations(example):
        assert collect_field_errors(validator, instance) == collect_field_errors(fresh, instance)


# (schema, instance, expected result of the compiled check)
KEYWORD_CASES = [
    ({"const": 1}, True, False),
    ({"const": 1}, 1.0, True),
    ({"const": True}, 1, False),
    ({"enum": [1, 2]}, 2, True),
    ({"enum": [1, 2]}, 3, False),
    ({"enum": ["a", None]}, None, True),
    ({"enum": [[1], {"a": 1}]}, [1], False),
    ({"type": "integer"}, 1.0, True),
    ({"type": "integer"}, 1.5, False),
    ({"type": "integer"}, True, False),
    ({"type": "number"}, True, False),
    ({"type": ["string", "null"]}, None, True),
    ({"minimum": 5}, True, True),
    ({"minimum": 5}, "text", True),
    ({"exclusiveMaximum": 5}, 5, False),
    ({"pattern": "b"}, "abc", True),
    ({"pattern": "^b"}, "abc", False),
    ({"minLength": 2}, ["a"], True),
    ({"format": "email"}, "not-an-email", False),
    ({"format": "email"}, "user@example.com", True),
    ({"format": "password"}, "anything", True),
    ({"x-vendor-note": "ignored", "type": "string"}, "a", True),
    ({"if": {"const": 1}, "then": {"type": "integer"}, "else": {"type": "string"}}, "a", True),
    ({"if": {"const": 1}, "then": {"maximum": 0}}, 1, False),
    ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, 1, False),
    ({"oneOf": [{"type": "integer"}, {"type": "string"}]}, 1, True),
    ({"not": {"type": "string"}}, 1, True),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, 1, False),
    ({"properties": {"a": {"type": "string"}}, "additionalProperties": False}, {"b": 1}, False),
    (
        {"patternProperties": {"^x-": {}}, "additionalProperties": False},
        {"x-extra": 1},
        True,
    ),
    ({"additionalProperties": {"type": "integer"}}, {"a": "b"}, False),
    (
        {
            "properties": {"a": {}},
            "patternProperties": {"^x-": {"type": "string"}},
            "additionalProperties": False,
        },
        {"a": 1, "x-note": "text"},
        True,
    ),
    (
        {
            "properties": {"a": {}},
            "patternProperties": {"^x-": {"type": "string"}},
            "additionalProperties": False,
        },
        {"a": 1, "x-note": 2},
        False,
    ),
    (
        {"type": ["object", "null"], "properties": {"a": {"type": "string"}}, "required": ["a"]},
        None,
        True,
    ),
    (
        {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
        {"b": "x"},
        False,
    ),
    ({"type": "object", "properties": {"a": {}}}, [], False),
    ({"properties": {"a": {"type": "string"}}, "required": ["a"]}, "not an object", True),
    (
        {"properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "integer"}},
        {"a": "x", "b": 2},
        True,
    ),
    (
        {"properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "integer"}},
        {"a": "x", "b": "2"},
        False,
    ),
    ({"not": {"properties": {"a": {"type": "string"}}, "required": 5}}, {"a": "x"}, False),
    ({"required": ["a"]}, [], True),
    ({"items": {"type": "integer"}, "minItems": 1}, [1, 2], True),
    ({"items": {"type": "integer"}}, [1, "2"], False),
    ({"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}, ["a", 1], False),
    ({"dependentRequired": {"a": ["b"]}}, {"a": 1, "b": 2}, False),
    ({"uniqueItems": True}, [1, 2], False),
    ({"$schema": "http://json-schema.org/draft-07/schema#", "type": "string"}, "a", True),
    (
        {"properties": {"a": {"$schema": "http://json-schema.org/draft-07/schema#"}}},
        {"a": 1},
        False,
    ),
    (
        {
            "$defs": {
                "node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}}}
            },
            "$ref": "#/$defs/node",
        },
        {"child": {"child": {"child": {}}}},
        True,
    ),
    (
        {
            "$defs": {
                "node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}}}
            },
            "$ref": "#/$defs/node",
        },
        {"child": {"child": 3}},
        False,
    ),
    ({"$ref": "https://json-schema.org/draft/2020-12/schema"}, {"type": "string"}, True),
    ({"$ref": "https://json-schema.org/draft/2020-12/schema"}, {"type": 5}, False),
    # The meta-schema's $dynamicRef is not compiled, so the check leaves this to jsonschema.
    ({"$ref": "https://json-schema.org/draft/2020-12/schema"}, {"items": {}}, False),
    ({"$ref": "https://example.invalid/missing.json"}, 1, False),
]


@pytest.mark.parametrize(("schema", "instance", "expected"), KEYWORD_CASES)
def test_keyword_check_is_sound(schema, instance, expected):
    check, validator = compile_for(schema)

    if check(instance):
        assert validator.is_valid(instance)
    assert check(instance) is expected


def test_subschema_id_moves_base_uri():
    registry = referencing.Registry().with_resource(
        "https://example.invalid/other/item.json",
        DRAFT202012.create_resource({"type": "integer"}),
    )
    schema = {
        "$id": "https://example.invalid/root.json",
        "properties": {
            "value": {"$id": "other/wrapper.json", "$ref": "item.json"},
        },
    }
    check, validator = compile_for(schema, registry)

    assert check({"value": 3}) is True
    assert check({"value": "3"}) is False
    assert validator.is_valid({"value": 3})
    assert not validator.is_valid({"value": "3"})
