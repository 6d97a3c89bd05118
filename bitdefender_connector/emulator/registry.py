"""The JSON-RPC methods the emulator serves: handler, routes and rate-limit class of each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import blocklist, custom_rules, general, isolation, quarantine
from .context import CallContext
from .rate_limits import BLOCKLIST_RULE_MUTATOR, DEFAULT_CLASS, QUARANTINE_TASK
from .routes import (
    GENERAL,
    INCIDENTS,
    QUARANTINE,
    QUARANTINE_COMPUTERS,
    QUARANTINE_EXCHANGE,
    Route,
)
from .state import EmulatorState

Handler = Callable[[EmulatorState, dict[str, Any], CallContext], Any]


@dataclass(frozen=True)
class MethodSpec:
    """A method's handler, the routes that accept it and its rate-limit class."""

    name: str
    handler: Handler
    routes: tuple[Route, ...]
    rate_class: str = DEFAULT_CLASS


_QUARANTINE_SERVICES = (QUARANTINE_COMPUTERS, QUARANTINE_EXCHANGE)

METHODS = {
    spec.name: spec
    for spec in (
        MethodSpec(
            "createIsolateEndpointTask", isolation.create_isolate_endpoint_task, (INCIDENTS,)
        ),
        MethodSpec(
            "createRestoreEndpointFromIsolationTask",
            isolation.create_restore_endpoint_from_isolation_task,
            (INCIDENTS,),
        ),
        MethodSpec(
            "addToBlocklist", blocklist.add_to_blocklist, (INCIDENTS,), BLOCKLIST_RULE_MUTATOR
        ),
        MethodSpec("getBlocklistItems", blocklist.get_blocklist_items, (INCIDENTS,)),
        MethodSpec(
            "removeFromBlocklist",
            blocklist.remove_from_blocklist,
            (INCIDENTS,),
            BLOCKLIST_RULE_MUTATOR,
        ),
        MethodSpec(
            "createCustomRule",
            custom_rules.create_custom_rule,
            (INCIDENTS,),
            BLOCKLIST_RULE_MUTATOR,
        ),
        MethodSpec("getCustomRulesList", custom_rules.get_custom_rules_list, (INCIDENTS,)),
        MethodSpec(
            "deleteCustomRule",
            custom_rules.delete_custom_rule,
            (INCIDENTS,),
            BLOCKLIST_RULE_MUTATOR,
        ),
        MethodSpec(
            "createAddFileToQuarantineTask",
            quarantine.create_add_file_to_quarantine_task,
            (QUARANTINE, QUARANTINE_COMPUTERS),
            QUARANTINE_TASK,
        ),
        MethodSpec(
            "getQuarantineItemsList", quarantine.get_quarantine_items_list, _QUARANTINE_SERVICES
        ),
        MethodSpec(
            "createEmptyQuarantineTask",
            quarantine.create_empty_quarantine_task,
            _QUARANTINE_SERVICES,
            QUARANTINE_TASK,
        ),
        MethodSpec(
            "createRemoveQuarantineItemTask",
            quarantine.create_remove_quarantine_item_task,
            _QUARANTINE_SERVICES,
            QUARANTINE_TASK,
        ),
        MethodSpec(
            "createRestoreQuarantineItemTask",
            quarantine.create_restore_quarantine_item_task,
            (QUARANTINE_COMPUTERS,),
            QUARANTINE_TASK,
        ),
        MethodSpec(
            "createRestoreQuarantineExchangeItemTask",
            quarantine.create_restore_quarantine_exchange_item_task,
            (QUARANTINE_EXCHANGE,),
            QUARANTINE_TASK,
        ),
        MethodSpec("getApiKeyDetails", general.get_api_key_details, (GENERAL,)),
    )
}


def rate_class_of(method: str | None) -> str:
    """Return the rate-limit class of a method, which is the default for unknown methods."""
    spec = METHODS.get(method) if method is not None else None
    return spec.rate_class if spec is not None else DEFAULT_CLASS
