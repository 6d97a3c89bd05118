"""A compiled validity check for JSON Schema Draft 2020-12, used before jsonschema on every call.

jsonschema resolves every ``$ref`` and builds a new validator object for every subschema on
each validation, so a small action input cost about 100 µs (jsonschema 4.26 on a 2-core AMD
EPYC virtual machine). This module compiles a schema once into nested Python closures, which
decide the manifest's inputs and outputs in 3 to 20 µs on the same machine.

The check decides only "certainly valid". It is built so that when it returns True,
validation.SchemaValidator (jsonschema's Draft 2020-12 with ECMA-262 patterns, the same
registry and format checker) finds no error in the instance. The tests in
tests/test_fast_validation.py compare the two on every manifest schema and on a table of
keyword cases. When it returns False, the caller runs jsonschema, which stays
the only source of error messages and the final word on validity. Internally each closure
returns True (valid), False (invalid) or None (not decided). A keyword this module does not
implement, an instance type it does not handle exactly, or a subschema in another dialect
gives None. That keeps ``if``, ``not`` and ``oneOf`` exact: they are decided only when their
subschemas are.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping
from typing import Any

import referencing
import referencing.exceptions
from jsonschema import Draft202012Validator, FormatChecker
from referencing.jsonschema import DRAFT202012

from .schema_regex import compile_pattern

# A compiled check: True when the instance is valid, False when it is not, None when undecided.
Check = Callable[[Any], "bool | None"]

DIALECT_URI = "https://json-schema.org/draft/2020-12/schema"

# Deeper nesting is left undecided. It bounds compilation when a reference cycle cannot be
# recognised because the resolver's base URI is not readable.
MAX_DEPTH = 100

# The keywords that _Compiler._compile_object checks together, in one pass over the members.
OBJECT_KEYWORDS = frozenset({"type", "required", "properties", "additionalProperties"})

# The keywords that jsonschema validates in Draft 2020-12. Any other keyword is an annotation
# (title, description, default, $defs, ...) that jsonschema ignores, so this module does too.
VALIDATION_KEYWORDS = frozenset(Draft202012Validator.VALIDATORS)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


# The JSON types of values whose class is exactly one of these, as jsonschema's Draft 2020-12
# type checker decides them. Floats are missing because 1.0 is an integer there; they and
# subclasses go to the type checker itself.
_PLAIN_VALUE_TYPES: dict[type, frozenset[str]] = {
    str: frozenset({"string"}),
    bool: frozenset({"boolean"}),
    type(None): frozenset({"null"}),
    int: frozenset({"integer", "number"}),
    dict: frozenset({"object"}),
    list: frozenset({"array"}),
}
JSON_TYPE_NAMES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})


def _type_test(names: frozenset[str]) -> Check:
    is_type = Draft202012Validator.TYPE_CHECKER.is_type

    def check_type(instance: Any) -> bool:
        plain = _PLAIN_VALUE_TYPES.get(type(instance))
        if plain is not None:
            return not plain.isdisjoint(names)
        return any(is_type(instance, name) for name in names)

    return check_type


def _always_valid(instance: Any) -> bool:
    return True


def _never_valid(instance: Any) -> bool:
    return False


def _undecided(instance: Any) -> None:
    return None


def compile_validity_check(
    schema: Any, resolver: referencing.Resolver, format_checker: FormatChecker | None
) -> Callable[[Any], bool]:
    """Return a function that is True only for instances that ``schema`` certainly accepts.

    ``resolver`` resolves ``$ref`` from the schema's root, as the validator's own resolver
    does. References are resolved now, once, and a reference cycle is compiled as a loop.
    """
    check = _Compiler(format_checker).compile_root(schema, resolver)

    def is_certainly_valid(instance: Any) -> bool:
        return check(instance) is True

    return is_certainly_valid


class _Compiler:
    def __init__(self, format_checker: FormatChecker | None) -> None:
        self._format_checker = format_checker
        self._depth = 0
        # Compiled subschemas by (id of the schema object, base URI, dialect checked), so that
        # a subschema reached through many $ref is compiled once and a cycle ends in a
        # late-bound call.
        self._compiled: dict[tuple[int, object, bool], list[Check | None]] = {}

    def compile_root(self, schema: Any, resolver: referencing.Resolver) -> Check:
        # jsonschema validates the root with the chosen validator class whatever its $schema.
        return self._compile(schema, resolver, check_dialect=False)

    def _descend(self, schema: Any, resolver: referencing.Resolver, evolve: bool = False) -> Check:
        """Compile a subschema as jsonschema enters it.

        descend() moves the base URI into a subschema that has an ``$id``. evolve(), which
        jsonschema uses for ``if``, ``not`` and a resolved ``$ref``, keeps the resolver.
        """
        if not evolve and isinstance(schema, Mapping):
            resolver = resolver.in_subresource(DRAFT202012.create_resource(schema))
        return self._compile(schema, resolver, check_dialect=True)

    def _compile(self, schema: Any, resolver: referencing.Resolver, check_dialect: bool) -> Check:
        if schema is True:
            return _always_valid
        if schema is False:
            return _never_valid
        if not isinstance(schema, Mapping) or self._depth >= MAX_DEPTH:
            return _undecided
        if check_dialect and schema.get("$schema", DIALECT_URI) != DIALECT_URI:
            # jsonschema would switch to another draft's rules for this subschema.
            return _undecided

        key = (id(schema), _base_uri(resolver), check_dialect)
        cell = self._compiled.get(key)
        if cell is not None:
            return cell[0] if cell[0] is not None else _late_bound(cell)
        cell = [None]
        self._compiled[key] = cell
        self._depth += 1
        try:
            keywords = [keyword for keyword in schema if keyword in VALIDATION_KEYWORDS]
            checks = []
            if "properties" in keywords and "patternProperties" not in keywords:
                checks.append(self._guarded(self._compile_object, None, schema, resolver))
                keywords = [keyword for keyword in keywords if keyword not in OBJECT_KEYWORDS]
            checks += [
                self._compile_keyword(keyword, schema[keyword], schema, resolver)
                for keyword in keywords
            ]
        finally:
            self._depth -= 1
        compiled = _all_of_checks(checks)
        cell[0] = compiled
        return compiled

    def _compile_object(
        self, _value: Any, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        """Compile ``properties``, ``additionalProperties``, ``required`` and ``type`` together.

        One closure, and one pass over the instance's members, instead of one per keyword,
        because nearly every subschema of an action input is such an object.
        """
        type_check = (
            self._compile_keyword("type", schema["type"], schema, resolver)
            if "type" in schema
            else None
        )
        required = (
            self._compile_keyword("required", schema["required"], schema, resolver)
            if "required" in schema
            else None
        )
        properties = schema["properties"]
        if not isinstance(properties, Mapping):
            return _undecided
        members = {
            name: self._descend(subschema, resolver) for name, subschema in properties.items()
        }
        additional = schema.get("additionalProperties", True)
        if isinstance(additional, dict):
            check_extra: Check | None = self._descend(additional, resolver)
        elif additional is True or additional:
            check_extra = None
        else:
            check_extra = _never_valid

        def check_object(instance: Any) -> bool | None:
            result: bool | None = True
            if type_check is not None:
                result = type_check(instance)
                if result is False:
                    return False
            if not isinstance(instance, dict):
                return result
            if required is not None:
                present = required(instance)
                if present is False:
                    return False
                if present is None:
                    result = None
            for name, value in instance.items():
                check = members.get(name, check_extra)
                if check is None:
                    continue
                outcome = check(value)
                if outcome is False:
                    return False
                if outcome is None:
                    result = None
            return result

        return check_object

    def _compile_keyword(
        self, keyword: str, value: Any, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        compile_method = getattr(self, "_keyword_" + keyword.lstrip("$"), None)
        if compile_method is None:
            return _undecided
        return self._guarded(compile_method, value, schema, resolver)

    def _guarded(
        self,
        compile_method: Callable[[Any, Mapping[str, Any], referencing.Resolver], Check],
        value: Any,
        schema: Mapping[str, Any],
        resolver: referencing.Resolver,
    ) -> Check:
        try:
            return compile_method(value, schema, resolver)
        except (TypeError, ValueError, re.error, referencing.exceptions.Unresolvable):
            # A malformed keyword value: leave the decision, and the error, to jsonschema.
            return _undecided

    # Applicators

    def _keyword_ref(
        self, reference: str, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        resolved = resolver.lookup(reference)
        return self._descend(resolved.contents, resolved.resolver, evolve=True)

    def _keyword_allOf(
        self, subschemas: list[Any], schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        return _all_of_checks([self._descend(subschema, resolver) for subschema in subschemas])

    def _keyword_anyOf(
        self, subschemas: list[Any], schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        checks = [self._descend(subschema, resolver) for subschema in subschemas]

        def check_any_of(instance: Any) -> bool | None:
            result: bool | None = False
            for check in checks:
                outcome = check(instance)
                if outcome is True:
                    return True
                if outcome is None:
                    result = None
            return result

        return check_any_of

    def _keyword_oneOf(
        self, subschemas: list[Any], schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        if any(isinstance(subschema, Mapping) and "$id" in subschema for subschema in subschemas):
            # jsonschema enters these both with and without the subschema's own base URI.
            return _undecided
        checks = [self._descend(subschema, resolver) for subschema in subschemas]

        def check_one_of(instance: Any) -> bool | None:
            outcomes = [check(instance) for check in checks]
            if None in outcomes:
                return None
            return outcomes.count(True) == 1

        return check_one_of

    def _keyword_not(
        self, subschema: Any, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        check = self._descend(subschema, resolver, evolve=True)

        def check_not(instance: Any) -> bool | None:
            outcome = check(instance)
            return None if outcome is None else not outcome

        return check_not

    def _keyword_if(
        self, condition: Any, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        check_condition = self._descend(condition, resolver, evolve=True)
        check_then = self._descend(schema["then"], resolver) if "then" in schema else None
        check_else = self._descend(schema["else"], resolver) if "else" in schema else None

        def check_if(instance: Any) -> bool | None:
            outcome = check_condition(instance)
            if outcome is None:
                return None
            branch = check_then if outcome else check_else
            return True if branch is None else branch(instance)

        return check_if

    def _keyword_properties(
        self,
        properties: Mapping[str, Any],
        schema: Mapping[str, Any],
        resolver: referencing.Resolver,
    ) -> Check:
        checks = [
            (name, self._descend(subschema, resolver)) for name, subschema in properties.items()
        ]

        def check_properties(instance: Any) -> bool | None:
            if not isinstance(instance, dict):
                return True
            result: bool | None = True
            for name, check in checks:
                if name in instance:
                    outcome = check(instance[name])
                    if outcome is False:
                        return False
                    if outcome is None:
                        result = None
            return result

        return check_properties

    def _keyword_patternProperties(
        self,
        patterns: Mapping[str, Any],
        schema: Mapping[str, Any],
        resolver: referencing.Resolver,
    ) -> Check:
        checks = [
            (re.compile(pattern).search, self._descend(subschema, resolver))
            for pattern, subschema in patterns.items()
        ]

        def check_pattern_properties(instance: Any) -> bool | None:
            if not isinstance(instance, dict):
                return True
            result: bool | None = True
            for search, check in checks:
                for name, value in instance.items():
                    if search(name):
                        outcome = check(value)
                        if outcome is False:
                            return False
                        if outcome is None:
                            result = None
            return result

        return check_pattern_properties

    def _keyword_additionalProperties(
        self, additional: Any, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        declared = frozenset(schema.get("properties", {}))
        patterns = "|".join(schema.get("patternProperties", {}))
        matches_pattern = re.compile(patterns).search if patterns else None
        check = self._descend(additional, resolver) if isinstance(additional, dict) else None
        forbidden = not isinstance(additional, dict) and not additional

        def check_additional(instance: Any) -> bool | None:
            if not isinstance(instance, dict):
                return True
            result: bool | None = True
            for name in instance:
                if name in declared or (matches_pattern is not None and matches_pattern(name)):
                    continue
                if forbidden:
                    return False
                if check is not None:
                    outcome = check(instance[name])
                    if outcome is False:
                        return False
                    if outcome is None:
                        result = None
            return result

        return check_additional

    def _keyword_items(
        self, items: Any, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        if "prefixItems" in schema:
            return _undecided
        check = self._descend(items, resolver)

        def check_items(instance: Any) -> bool | None:
            if not isinstance(instance, list):
                return True
            result: bool | None = True
            for item in instance:
                outcome = check(item)
                if outcome is False:
                    return False
                if outcome is None:
                    result = None
            return result

        return check_items

    # Assertions

    def _keyword_type(
        self, types: Any, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        names = frozenset([types] if isinstance(types, str) else types)
        if not names <= JSON_TYPE_NAMES:
            return _undecided
        return _type_test(names)

    def _keyword_required(
        self, required: list[str], schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        names = tuple(required)

        def check_required(instance: Any) -> bool:
            if not isinstance(instance, dict):
                return True
            return all(name in instance for name in names)

        return check_required

    def _keyword_const(
        self, const: Any, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        return _compile_enum([const])

    def _keyword_enum(
        self, options: list[Any], schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        return _compile_enum(list(options))

    def _keyword_pattern(
        self, pattern: str, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        # The pattern is applied with search, so only ^ and $ anchor it, with ECMA-262's $.
        search = compile_pattern(pattern).search
        return lambda instance: not isinstance(instance, str) or search(instance) is not None

    def _keyword_minLength(
        self, limit: int, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        return lambda instance: not isinstance(instance, str) or len(instance) >= limit

    def _keyword_maxLength(
        self, limit: int, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        return lambda instance: not isinstance(instance, str) or len(instance) <= limit

    def _keyword_minItems(
        self, limit: int, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        return lambda instance: not isinstance(instance, list) or len(instance) >= limit

    def _keyword_maxItems(
        self, limit: int, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        return lambda instance: not isinstance(instance, list) or len(instance) <= limit

    def _keyword_minimum(
        self, limit: float, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        return _numeric_limit(lambda value: value >= limit)

    def _keyword_maximum(
        self, limit: float, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        return _numeric_limit(lambda value: value <= limit)

    def _keyword_exclusiveMinimum(
        self, limit: float, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        return _numeric_limit(lambda value: value > limit)

    def _keyword_exclusiveMaximum(
        self, limit: float, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        return _numeric_limit(lambda value: value < limit)

    def _keyword_format(
        self, format_name: str, schema: Mapping[str, Any], resolver: referencing.Resolver
    ) -> Check:
        checker = self._format_checker
        if checker is None:
            return _always_valid
        # conforms() runs the same checker that jsonschema runs, so the result is exact.
        return lambda instance: checker.conforms(instance, format_name)


def _all_of_checks(checks: list[Check]) -> Check:
    """Return a check that is True when every check is, and False as soon as one is False."""
    checks = [check for check in checks if check is not _always_valid]
    if not checks:
        return _always_valid
    if len(checks) == 1:
        return checks[0]

    def check_all(instance: Any) -> bool | None:
        result: bool | None = True
        for check in checks:
            outcome = check(instance)
            if outcome is False:
                return False
            if outcome is None:
                result = None
        return result

    return check_all


def _late_bound(cell: list[Check | None]) -> Check:
    """Return a check that calls the one in ``cell``, which is compiled after this point."""

    def check_late(instance: Any) -> bool | None:
        check = cell[0]
        return None if check is None else check(instance)

    return check_late


def _numeric_limit(within: Callable[[Any], bool]) -> Check:
    def check_limit(instance: Any) -> bool | None:
        if not _is_number(instance):
            return True
        try:
            return within(instance)
        except TypeError:  # a number type that does not compare, such as complex
            return None

    return check_limit


def _compile_enum(options: list[Any]) -> Check:
    """Return an exact check for strings, booleans, null and plain numbers, else undecided.

    jsonschema compares with its own equal(): strings by ==, True and 1 as different values,
    and numbers by value, so that 1 equals 1.0. Objects and arrays are left undecided.
    """
    strings = {option for option in options if isinstance(option, str)}
    booleans = {option for option in options if isinstance(option, bool)}
    has_null = any(option is None for option in options)
    plain_numbers = [option for option in options if _is_plain_number(option)]
    # A number equals no string, boolean, null, object or array option, but an option of
    # another type (a YAML date, say) might compare equal, so a miss is then undecided.
    number_miss: bool | None = False
    if any(type(option) not in _JSON_TYPES for option in options):
        number_miss = None

    def check_enum(instance: Any) -> bool | None:
        if isinstance(instance, str):
            return instance in strings
        if isinstance(instance, bool):
            return instance in booleans
        if instance is None:
            return has_null
        if _is_plain_number(instance):
            if any(instance == option for option in plain_numbers):
                return True
            return number_miss
        return None

    return check_enum


_JSON_TYPES = (str, bool, type(None), int, float, list, dict)


def _base_uri(resolver: referencing.Resolver) -> object:
    """Return the resolver's base URI, or its id when the attribute is not there.

    referencing (0.37) has no public accessor for it. Without it, cycles are not recognised
    and MAX_DEPTH ends the compilation instead.
    """
    return getattr(resolver, "_base_uri", None) or id(resolver)


def _is_plain_number(value: Any) -> bool:
    return type(value) in (int, float)
