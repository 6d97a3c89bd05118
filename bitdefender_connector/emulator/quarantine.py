"""Quarantine methods of the computers and exchange services (v1.0 shapes, results `true`)."""

from __future__ import annotations

import re
from typing import Any

from .context import CallContext
from .jsonrpc import InvalidParams
from .lookups import find_endpoint, read_company_filter
from .paging import PAGING_PARAMS, paginate, read_paging
from .params import ParamReader
from .quarantine_filters import read_filters
from .state import (
    ACTION_NONE,
    ACTION_PENDING_REMOVE,
    ACTION_PENDING_RESTORE,
    COMPUTERS,
    EmulatorState,
    QuarantineItem,
)

# A drive-letter path (C:\...), a UNC path (\\server\...) or a POSIX path (/...).
ABSOLUTE_PATH = re.compile(r"([A-Za-z]:\\|\\\\|/).*")
ADDED_FILE_THREAT_NAME = "Quarantined by task"
NOT_AVAILABLE = "One or more items are not available for the specified action."
INVALID_TARGET = "At least one specified target is invalid."


def _service(context: CallContext) -> str:
    # Quarantine routes always set a service (computers for the bare route), so the fallback
    # only satisfies the type checker.
    return context.quarantine_service or COMPUTERS


def _find_items(
    state: EmulatorState, service: str, item_ids: list[str], message: str
) -> list[QuarantineItem]:
    items = state.quarantine_items[service]
    unknown = [item_id for item_id in item_ids if item_id not in items]
    if unknown:
        raise InvalidParams(f"{message} No {service} quarantine item has ID {unknown[0]}.")
    return [items[item_id] for item_id in item_ids]


def get_quarantine_items_list(
    state: EmulatorState, params: dict[str, Any], context: CallContext
) -> dict[str, Any]:
    """Return one page of the service's items that match the endpoint, company and filters."""
    reader = ParamReader(params, {*PAGING_PARAMS, "endpointId", "filters", "companyId"})
    endpoint_id = reader.optional_object_id("endpointId")
    if endpoint_id is not None:
        find_endpoint(state, endpoint_id, "endpointId")
    company_id = read_company_filter(state, reader)
    filters = read_filters(reader)
    page, per_page = read_paging(reader)

    items = [
        item.to_api()
        for item in state.quarantine_items[_service(context)].values()
        if (endpoint_id is None or item.endpoint_id == endpoint_id)
        and (company_id is None or item.company_id == company_id)
        and filters.matches(item)
    ]
    return paginate(items, page, per_page)


def create_empty_quarantine_task(
    state: EmulatorState, params: dict[str, Any], context: CallContext
) -> bool:
    """Remove every item of the service's quarantine at once."""
    ParamReader(params, ())
    state.quarantine_items[_service(context)].clear()
    return True


def create_remove_quarantine_item_task(
    state: EmulatorState, params: dict[str, Any], context: CallContext
) -> bool:
    """Mark the items pending remove (actionStatus 1). With any unknown ID, nothing changes."""
    reader = ParamReader(params, {"quarantineItemsIds"})
    item_ids = reader.object_id_list("quarantineItemsIds")
    items = _find_items(state, _service(context), item_ids, NOT_AVAILABLE)
    blocked = [item for item in items if not item.can_be_removed]
    if blocked:
        raise InvalidParams(f"{NOT_AVAILABLE} Item {blocked[0].id} cannot be removed.")

    for item in items:
        item.action_status = ACTION_PENDING_REMOVE
    return True


def _mark_pending_restore(state: EmulatorState, service: str, item_ids: list[str]) -> bool:
    items = _find_items(state, service, item_ids, INVALID_TARGET)
    blocked = [item for item in items if not item.can_be_restored]
    if blocked:
        raise InvalidParams(f"{INVALID_TARGET} Item {blocked[0].id} cannot be restored.")

    for item in items:
        item.action_status = ACTION_PENDING_RESTORE
    return True


def create_restore_quarantine_item_task(
    state: EmulatorState, params: dict[str, Any], context: CallContext
) -> bool:
    """Mark computers items pending restore (actionStatus 2)."""
    reader = ParamReader(
        params, {"quarantineItemsIds", "locationToRestore", "addExclusionInPolicy"}
    )
    item_ids = reader.object_id_list("quarantineItemsIds")
    location = reader.optional_string("locationToRestore")
    if location is not None and ABSOLUTE_PATH.fullmatch(location) is None:
        raise InvalidParams(
            f"'locationToRestore' must be an absolute folder path such as C:\\Restore, "
            f"got {location!r}."
        )
    reader.boolean("addExclusionInPolicy", default=False)
    return _mark_pending_restore(state, _service(context), item_ids)


def create_restore_quarantine_exchange_item_task(
    state: EmulatorState, params: dict[str, Any], context: CallContext
) -> bool:
    """Mark exchange items pending restore (actionStatus 2) without checking the credentials."""
    reader = ParamReader(params, {"quarantineItemsIds", "username", "password", "email", "ewsUrl"})
    item_ids = reader.object_id_list("quarantineItemsIds")
    reader.string("username", allow_empty=False)
    reader.string("password", allow_empty=False)
    reader.optional_string("email", allow_empty=False)
    reader.optional_string("ewsUrl", allow_empty=False)
    return _mark_pending_restore(state, _service(context), item_ids)


def create_add_file_to_quarantine_task(
    state: EmulatorState, params: dict[str, Any], context: CallContext
) -> bool:
    """Add one computers quarantine item for the file on each endpoint."""
    reader = ParamReader(params, {"endpointIds", "filePath"})
    endpoint_ids = reader.object_id_list("endpointIds")
    file_path = reader.string("filePath", allow_empty=False)
    if ABSOLUTE_PATH.fullmatch(file_path) is None:
        raise InvalidParams(
            f"'filePath' must be an absolute path such as C:\\folder\\file.exe, got {file_path!r}."
        )
    endpoints = [
        find_endpoint(state, endpoint_id, f"endpointIds[{index}]")
        for index, endpoint_id in enumerate(endpoint_ids)
    ]

    for endpoint in endpoints:
        item = QuarantineItem(
            id=state.ids.next_id(),
            service=COMPUTERS,
            endpoint_id=endpoint.id,
            endpoint_name=endpoint.name,
            endpoint_ip=endpoint.ip,
            company_id=endpoint.company_id,
            quarantined_on=state.take_quarantine_time(),
            action_status=ACTION_NONE,
            threat_name=ADDED_FILE_THREAT_NAME,
            file_path=file_path,
        )
        state.quarantine_items[COMPUTERS][item.id] = item
    return True
