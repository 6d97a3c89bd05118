"""Helpers that add or remove many items at once, so tests can build long or empty lists."""

from __future__ import annotations

import hashlib

from .jsonrpc import InvalidParams
from .lookups import find_endpoint
from .state import (
    ACTION_NONE,
    COMPUTERS,
    EXCLUSION_RULE,
    MD5,
    QUARANTINE_SERVICES,
    SHA256,
    SOURCE_MANUAL,
    BlocklistItem,
    CustomRule,
    EmulatorState,
    QuarantineItem,
)

HELPER_SOURCE_INFO = "Added by the emulator"


def _check_count(count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"count must be an integer of at least 0, got {count!r}.")


def _check_service(service: str) -> None:
    if service not in QUARANTINE_SERVICES:
        raise ValueError(
            f"service must be one of {', '.join(QUARANTINE_SERVICES)}, got {service!r}."
        )


def add_blocklist_items(
    state: EmulatorState, count: int, hash_type: int = MD5, company_id: str | None = None
) -> list[str]:
    """Add `count` manual blocklist items with distinct hashes and return their IDs in order."""
    _check_count(count)
    if hash_type not in (SHA256, MD5):
        raise ValueError(f"hash_type must be 1 (SHA256) or 2 (MD5), got {hash_type!r}.")
    owner = company_id or state.default_company_id
    ids = []
    for _ in range(count):
        item_id = state.ids.next_id()
        digest = hashlib.sha256(item_id.encode("ascii")).hexdigest()
        value = digest if hash_type == SHA256 else digest[:32]
        state.blocklist[item_id] = BlocklistItem(
            item_id, hash_type, value, SOURCE_MANUAL, HELPER_SOURCE_INFO, company_id=owner
        )
        ids.append(item_id)
    return ids


def add_quarantine_items(
    state: EmulatorState, count: int, service: str = COMPUTERS, endpoint_id: str | None = None
) -> list[str]:
    """Add `count` quarantine items to a service (on the first endpoint by default)."""
    _check_count(count)
    _check_service(service)
    try:
        endpoint = (
            find_endpoint(state, endpoint_id, "endpoint_id")
            if endpoint_id is not None
            else next(iter(state.endpoints.values()))
        )
    except InvalidParams as error:
        raise ValueError(error.details) from None

    ids = []
    for _ in range(count):
        item = QuarantineItem(
            id=state.ids.next_id(),
            service=service,
            endpoint_id=endpoint.id,
            endpoint_name=endpoint.name,
            endpoint_ip=endpoint.ip,
            company_id=endpoint.company_id,
            quarantined_on=state.take_quarantine_time(),
            action_status=ACTION_NONE,
            threat_name="EICAR-Test-File",
            file_path=f"C:\\samples\\eicar-{len(ids) + 1}.com",
        )
        state.quarantine_items[service][item.id] = item
        ids.append(item.id)
    return ids


def add_custom_rules(
    state: EmulatorState, count: int, rule_type: int = EXCLUSION_RULE
) -> list[str]:
    """Add `count` active process rules of one type to the default company."""
    _check_count(count)
    ids = []
    for _ in range(count):
        rule_id = state.ids.next_id()
        settings = {
            "status": 1,
            "target": "process",
            "criteriaList": [{"field": "Process.Name", "relation": "is", "value": "tool.exe"}],
        }
        if rule_type != EXCLUSION_RULE:
            settings["severity"] = 1
        state.custom_rules[rule_id] = CustomRule(
            rule_id,
            rule_type,
            f"Emulator rule {rule_id}",
            state.owner_id,
            state.default_company_id,
            settings,
        )
        ids.append(rule_id)
    return ids


def clear_quarantine(state: EmulatorState, service: str | None = None) -> None:
    """Remove every quarantine item of one service, or of both when `service` is None."""
    services = QUARANTINE_SERVICES if service is None else (service,)
    for name in services:
        _check_service(name)
        state.quarantine_items[name].clear()


def clear_custom_rules(state: EmulatorState, rule_type: int | None = None) -> None:
    """Remove every custom rule of one type, or all rules when `rule_type` is None."""
    for rule_id, rule in list(state.custom_rules.items()):
        if rule_type is None or rule.type == rule_type:
            del state.custom_rules[rule_id]
