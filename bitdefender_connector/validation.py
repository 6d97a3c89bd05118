"""JSON Schema validators for the manifest and action inputs, and readable field errors."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import jsonschema
import referencing
from jsonschema import Draft202012Validator
from jsonschema_specifications import REGISTRY as SPECIFICATIONS
from referencing.jsonschema import DRAFT202012

from .errors import FieldError
from .fast_validation import compile_validity_check
from .schema_regex import compile_pattern

# Base URI of every schema in the schemas/ folder. It is never fetched: the registry below
# holds every document, and unknown references fail instead of going to the network.
SCHEMA_BASE_URI = "https://bitdefender-connector.invalid/schemas/"

# Shown instead of the value of a secret field, in messages and in dry runs.
MASK = "********"


def build_registry(documents: Mapping[str, Mapping[str, Any]]) -> referencing.Registry:
    """Return a registry holding each schema document under ``SCHEMA_BASE_URI + name``."""
    resources = [
        (SCHEMA_BASE_URI + name, DRAFT202012.create_resource(document))
        for name, document in documents.items()
    ]
    return referencing.Registry().with_resources(resources).crawl()


def _check_pattern(
    validator: Draft202012Validator, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterable[jsonschema.ValidationError]:
    """Check the ``pattern`` keyword with ECMA-262's ``$``, unlike jsonschema's own."""
    if validator.is_type(instance, "string") and not compile_pattern(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


# Draft 2020-12 with one change: a pattern's "$" does not match before a final newline.
SchemaValidator = jsonschema.validators.extend(Draft202012Validator, {"pattern": _check_pattern})


def build_validator(
    schema: Mapping[str, Any], base_name: str, registry: referencing.Registry
) -> Draft202012Validator:
    """Return a Draft 2020-12 validator whose relative ``$ref`` resolve inside ``schemas/``.

    Formats are checked, not only annotated, for those jsonschema can check with the installed
    packages (email among them). Patterns are always checked, with ECMA-262's ``$``.
    """
    rooted = {"$id": SCHEMA_BASE_URI + base_name, **schema}
    validator = SchemaValidator(
        rooted,
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    key = id(validator)
    _validity_checks[key] = _LazyValidityCheck(rooted, registry, validator.format_checker)
    weakref.finalize(validator, _validity_checks.pop, key, None)
    return validator


class _LazyValidityCheck:
    """The compiled validity check of one validator, compiled on its first use.

    Compiling took 0.3 to 0.9 ms per action schema on a 2-core AMD EPYC virtual machine. A
    process that loads the manifest and runs one action compiles only that action's schemas.
    Two threads may compile at once, and both results are equal.
    """

    def __init__(
        self,
        schema: Mapping[str, Any],
        registry: referencing.Registry,
        format_checker: jsonschema.FormatChecker | None,
    ) -> None:
        self._schema = schema
        self._registry = registry
        self._format_checker = format_checker
        self._check: Callable[[Any], bool] | None = None

    def __call__(self, instance: Any) -> bool:
        check = self._check
        if check is None:
            # The same registry that jsonschema gives the validator: ours plus the
            # published meta-schemas.
            resolver = SPECIFICATIONS.combine(self._registry).resolver_with_root(
                DRAFT202012.create_resource(self._schema)
            )
            check = compile_validity_check(self._schema, resolver, self._format_checker)
            self._check = check
        return check(instance)


# The compiled checks of the validators that build_validator returned, by id() of the
# validator. A finalizer removes each entry when its validator is collected, so an id that
# Python reuses for a new object never finds an old check.
_validity_checks: dict[int, _LazyValidityCheck] = {}


def format_path(path: Iterable[Any]) -> str:
    """Return a field path such as ``json_body.params.endpointIds[0]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(input)"


def collect_field_errors(
    validator: Draft202012Validator,
    instance: Any,
    secret_paths: Sequence[str] = (),
) -> list[FieldError]:
    """Validate ``instance`` and return every problem as a FieldError, sorted by path.

    For a validator from build_validator, a compiled check runs first and returns no errors
    at once when the instance is certainly valid. jsonschema runs otherwise.
    """
    validity_check = _validity_checks.get(id(validator))
    if validity_check is not None and validity_check(instance):
        return []
    found: dict[tuple[str, str], FieldError] = {}
    for error in validator.iter_errors(instance):
        for leaf in _leaf_errors(error):
            field_error = _describe(leaf, secret_paths)
            found.setdefault((field_error.path, field_error.message), field_error)
    return sorted(found.values(), key=lambda item: (item.path, item.rule))


def _leaf_errors(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """Return the most specific errors under an anyOf/oneOf failure."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        best = jsonschema.exceptions.best_match(error.context)
        if best is not None and best.validator not in ("type",):
            return _leaf_errors(best)
    return [error]


def _describe(error: jsonschema.ValidationError, secret_paths: Sequence[str]) -> FieldError:
    path = format_path(error.absolute_path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    hidden = path in secret_paths or schema.get("writeOnly") or schema.get("format") == "password"
    shown = MASK if hidden else _short_repr(error.instance)
    rule = str(error.validator)

    if rule == "required":
        missing = _missing_name(error)
        return FieldError(_join(path, missing), rule, "is required but missing")
    if rule == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = (
            sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        )
        name = extra[0] if extra else "?"
        return FieldError(
            _join(path, name),
            rule,
            "is not an allowed field; allowed fields here: " + (", ".join(allowed) or "none"),
        )
    if rule == "pattern":
        expected = schema.get("description") or f"text matching {schema.get('pattern')}"
        return FieldError(path, rule, f"{shown} is not valid; expected {_sentence(expected)}")
    if rule == "enum":
        options = ", ".join(_short_repr(option) for option in schema.get("enum", []))
        return FieldError(path, rule, f"{shown} is not allowed; use one of: {options}")
    if rule == "const":
        return FieldError(
            path,
            rule,
            f"{shown} is not allowed; the only accepted value is "
            f"{_short_repr(schema.get('const'))}",
        )
    if rule == "type":
        expected = schema.get("type")
        expected_text = " or ".join(expected) if isinstance(expected, list) else str(expected)
        actual = json_type_name(error.instance)
        return FieldError(path, rule, f"must be of type {expected_text}, not {actual}")
    if rule in ("maxItems", "minItems"):
        count = len(error.instance) if isinstance(error.instance, list) else 0
        bound = "at most" if rule == "maxItems" else "at least"
        return FieldError(
            path,
            rule,
            f"has {count} items; {bound} {_count(error.validator_value, 'item')} allowed",
        )
    if rule in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "more than",
            "exclusiveMaximum": "less than",
        }
        return FieldError(
            path, rule, f"{shown} is out of range; it must be {words[rule]} {error.validator_value}"
        )
    if rule in ("minLength", "maxLength"):
        bound = "at least" if rule == "minLength" else "at most"
        return FieldError(
            path, rule, f"must have {bound} {_count(error.validator_value, 'character')}"
        )
    if rule == "format":
        return FieldError(path, rule, f"{shown} is not a valid {schema.get('format')}")
    message = error.message
    if hidden:
        message = message.replace(repr(error.instance), MASK)
    return FieldError(path, rule, message)


def _missing_name(error: jsonschema.ValidationError) -> str:
    instance = error.instance if isinstance(error.instance, dict) else {}
    for name in error.validator_value:
        if name not in instance:
            return str(name)
    return "?"


def _join(path: str, name: str) -> str:
    return name if path == "(input)" else f"{path}.{name}"


def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    return text[0].lower() + text[1:] if text else text


def _short_repr(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def json_type_name(value: Any) -> str:
    """Return the JSON Schema type name of a decoded JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
