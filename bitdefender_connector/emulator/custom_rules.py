"""Incidents methods for custom detection and exclusion rules (create, list, delete)."""

from __future__ import annotations

from typing import Any

from .context import CallContext
from .jsonrpc import InvalidParams
from .lookups import read_company_filter
from .paging import PAGING_PARAMS, paginate, read_paging
from .params import ParamReader
from .state import DETECTION_RULE, EXCLUSION_RULE, CustomRule, EmulatorState

RULE_TYPES = (DETECTION_RULE, EXCLUSION_RULE)
RULE_TYPE_NAMES = {DETECTION_RULE: "detection", EXCLUSION_RULE: "exclusion"}
DEFAULT_RULE_TYPE = EXCLUSION_RULE
TARGETS = ("process", "file", "connection", "registry")
RELATIONS = ("is", "contains", "any")
SEVERITIES = (1, 2, 3)
# Hash fields match whole values, so `contains` may not use wildcards on them.
HASH_FIELDS = frozenset({"Process.MD5", "Process.SHA2", "File.MD5", "File.SHA2"})
# The alert-name field accepts only the `is` relation.
DETECTION_FIELD = "detection"
# Text limits from Bitdefender's createCustomRule page: no leading whitespace, none of < > ' ",
# names up to 128 characters and unique in the company, descriptions up to 1024, tags 2 to 128.
FORBIDDEN_TEXT_CHARACTERS = frozenset("<>'\"")
MAX_NAME_LENGTH = 128
MAX_DESCRIPTION_LENGTH = 1024
MIN_TAG_LENGTH = 2
MAX_TAG_LENGTH = 128


def _check_text(name: str, value: str, max_length: int, min_length: int = 1) -> None:
    if len(value) < min_length or len(value) > max_length:
        raise InvalidParams(
            f"'{name}' must be {min_length} to {max_length} characters long, got {len(value)}."
        )
    if value[0].isspace():
        raise InvalidParams(f"'{name}' must not begin with whitespace.")
    forbidden = sorted(FORBIDDEN_TEXT_CHARACTERS & set(value))
    if forbidden:
        raise InvalidParams(f"'{name}' must not contain {forbidden[0]!r}.")


def _read_name(state: EmulatorState, reader: ParamReader, company_id: str) -> str:
    name = reader.string("name")
    _check_text("name", name, MAX_NAME_LENGTH)
    for rule in state.custom_rules.values():
        if rule.company_id == company_id and rule.name == name:
            raise InvalidParams(f"'name' {name!r} is already used by rule {rule.id}.")
    return name


def _read_tags(reader: ParamReader) -> list[str]:
    tags = reader.optional_string_list("tags") or []
    for index, tag in enumerate(tags):
        _check_text(f"tags[{index}]", tag, MAX_TAG_LENGTH, MIN_TAG_LENGTH)
    if len(set(tags)) != len(tags):
        raise InvalidParams("'tags' must not contain the same tag twice.")
    return tags


def _check_targets(state: EmulatorState, reader: ParamReader) -> None:
    targets = reader.optional_nested("targets", {"companiesIds"})
    if targets is None:
        return
    for index, company_id in enumerate(targets.object_id_list("companiesIds")):
        if company_id not in state.companies:
            raise InvalidParams(
                f"'targets.companiesIds[{index}]' {company_id} does not match any company."
            )


def _read_criterion_value(reader: ParamReader, relation: str) -> str | list[str]:
    value = reader.raw("value")
    if isinstance(value, list):
        values = reader.string_list("value")
        if not values:
            raise InvalidParams(f"'{reader.name('value')}' must not be an empty array.")
        return values
    if relation == "any":
        raise InvalidParams(f"'{reader.name('value')}' must be an array with relation 'any'.")
    return reader.string("value", allow_empty=False)


def _has_wildcard(value: str | list[str]) -> bool:
    values = value if isinstance(value, list) else [value]
    return any("*" in entry or "?" in entry for entry in values)


def _read_criterion(reader: ParamReader) -> dict[str, Any]:
    field = reader.string("field", allow_empty=False)
    relation = reader.string("relation")
    if relation not in RELATIONS:
        raise InvalidParams(
            f"'{reader.name('relation')}' must be one of {', '.join(RELATIONS)}, got {relation!r}."
        )
    value = _read_criterion_value(reader, relation)

    if field == DETECTION_FIELD and relation != "is":
        raise InvalidParams(f"'{reader.name('relation')}' must be 'is' for the detection field.")
    if field in HASH_FIELDS and relation == "contains" and _has_wildcard(value):
        raise InvalidParams(
            f"'{reader.name('value')}' may not use wildcards on hash field {field}."
        )
    return {"field": field, "relation": relation, "value": value}


def _read_criteria(settings: ParamReader) -> list[dict[str, Any]]:
    criteria = settings.raw("criteriaList")
    name = settings.name("criteriaList")
    if not isinstance(criteria, list) or not criteria:
        raise InvalidParams(f"'{name}' must be a non-empty array of criteria.")

    parsed = []
    for index, criterion in enumerate(criteria):
        if not isinstance(criterion, dict):
            raise InvalidParams(f"'{name}[{index}]' must be an object.")
        reader = ParamReader(criterion, {"field", "relation", "value"}, f"{name}[{index}]")
        parsed.append(_read_criterion(reader))
    return parsed


def _read_settings(reader: ParamReader) -> dict[str, Any]:
    settings = reader.nested("settings", {"status", "severity", "target", "criteriaList"})
    status = settings.integer("status", choices=(0, 1))
    target = settings.string("target")
    if target not in TARGETS:
        raise InvalidParams(
            f"'settings.target' must be one of {', '.join(TARGETS)}, got {target!r}."
        )

    result: dict[str, Any] = {"status": status}
    if settings.has("severity"):
        result["severity"] = settings.integer("severity", choices=SEVERITIES)
    result["target"] = target
    result["criteriaList"] = _read_criteria(settings)
    return result


def create_custom_rule(
    state: EmulatorState, params: dict[str, Any], context: CallContext
) -> bool | str:
    """Create a rule and return true, or its new ID when `returnRuleId` is true."""
    reader = ParamReader(
        params,
        {"companyId", "type", "name", "description", "tags", "settings", "returnRuleId", "targets"},
    )
    company_id = read_company_filter(state, reader) or context.api_key.company_id
    rule_type = reader.optional_integer("type", default=DEFAULT_RULE_TYPE, choices=RULE_TYPES)
    name = _read_name(state, reader, company_id)
    description = reader.optional_string("description")
    if description is not None:
        _check_text("description", description, MAX_DESCRIPTION_LENGTH)
    tags = _read_tags(reader)
    settings = _read_settings(reader)
    _check_targets(state, reader)
    return_rule_id = reader.boolean("returnRuleId", default=False)

    rule = CustomRule(
        id=state.ids.next_id(),
        type=rule_type,
        name=name,
        owner=state.owner_id,
        company_id=company_id,
        settings=settings,
        tags=tags,
        description=description,
    )
    state.custom_rules[rule.id] = rule
    return rule.id if return_rule_id else True


def get_custom_rules_list(
    state: EmulatorState, params: dict[str, Any], context: CallContext
) -> dict[str, Any]:
    """Return one page of rules of one type (default exclusion), optionally of one company."""
    reader = ParamReader(params, {*PAGING_PARAMS, "companyId", "type"})
    company_id = read_company_filter(state, reader)
    rule_type = reader.optional_integer("type", default=DEFAULT_RULE_TYPE, choices=RULE_TYPES)
    page, per_page = read_paging(reader)

    rules = [
        rule.to_api()
        for rule in state.custom_rules.values()
        if rule.type == rule_type and (company_id is None or rule.company_id == company_id)
    ]
    return paginate(rules, page, per_page)


def delete_custom_rule(state: EmulatorState, params: dict[str, Any], context: CallContext) -> bool:
    """Delete a rule. `type` (default 2, exclusion) must match the rule's type."""
    reader = ParamReader(params, {"ruleId", "type"})
    rule_id = reader.object_id("ruleId")
    rule_type = reader.optional_integer("type", default=DEFAULT_RULE_TYPE, choices=RULE_TYPES)

    rule = state.custom_rules.get(rule_id)
    if rule is None:
        raise InvalidParams(f"'ruleId' {rule_id} does not match any custom rule.")
    if rule.type != rule_type:
        raise InvalidParams(
            f"Rule {rule_id} is a {RULE_TYPE_NAMES[rule.type]} rule (type {rule.type}), but "
            f"'type' is {rule_type}. Pass type {rule.type} to delete it."
        )
    del state.custom_rules[rule_id]
    return True
