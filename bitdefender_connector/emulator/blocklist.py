"""Incidents methods for the hash blocklist: add hashes, list items and remove an item."""

from __future__ import annotations

import re
from typing import Any

from .context import CallContext
from .jsonrpc import InvalidParams
from .lookups import read_company_filter
from .paging import PAGING_PARAMS, paginate, read_paging
from .params import ParamReader
from .state import MD5, SHA256, SOURCE_MANUAL, BlocklistItem, EmulatorState

HASH_LENGTHS = {SHA256: 64, MD5: 32}
HASH_DESCRIPTIONS = {
    SHA256: "a SHA256 hash of 64 hexadecimal characters",
    MD5: "an MD5 hash of 32 hexadecimal characters",
}
HEX_PATTERN = re.compile(r"[0-9a-fA-F]+")


def _read_hashes(reader: ParamReader, hash_type: int) -> list[str]:
    hashes = reader.string_list("hashList")
    if not hashes:
        raise InvalidParams("'hashList' must contain at least one hash.")
    length = HASH_LENGTHS[hash_type]
    for index, value in enumerate(hashes):
        if len(value) != length or HEX_PATTERN.fullmatch(value) is None:
            raise InvalidParams(
                f"'hashList[{index}]' must be {HASH_DESCRIPTIONS[hash_type]} "
                f"(hashType {hash_type}), got {value!r}."
            )
    return hashes


def _owner_company(state: EmulatorState, item: BlocklistItem) -> str:
    # Items listed without companyId (such as those added from an incident) belong to the
    # key's own company.
    return item.company_id or state.default_company_id


def _is_listed(state: EmulatorState, hash_type: int, value: str, company_id: str) -> bool:
    for item in state.blocklist.values():
        if (
            _owner_company(state, item) == company_id
            and item.hash_type == hash_type
            and item.hash.lower() == value.lower()
        ):
            return True
    return False


def add_to_blocklist(state: EmulatorState, params: dict[str, Any], context: CallContext) -> bool:
    """Add one manual blocklist item per hash, skipping hashes already listed for the company."""
    reader = ParamReader(params, {"hashType", "hashList", "sourceInfo", "companyId"})
    hash_type = reader.integer("hashType", choices=HASH_LENGTHS)
    hashes = _read_hashes(reader, hash_type)
    source_info = reader.string("sourceInfo")
    company_id = read_company_filter(state, reader) or context.api_key.company_id

    for value in hashes:
        if _is_listed(state, hash_type, value, company_id):
            continue
        item = BlocklistItem(
            id=state.ids.next_id(),
            hash_type=hash_type,
            hash=value,
            source=SOURCE_MANUAL,
            source_info=source_info,
            company_id=company_id,
        )
        state.blocklist[item.id] = item
    return True


def get_blocklist_items(
    state: EmulatorState, params: dict[str, Any], context: CallContext
) -> dict[str, Any]:
    """Return one page of blocklist items, of one company when `companyId` is given."""
    reader = ParamReader(params, {*PAGING_PARAMS, "companyId"})
    page, per_page = read_paging(reader)
    company_id = read_company_filter(state, reader)

    items = [
        item.to_api()
        for item in state.blocklist.values()
        if company_id is None or _owner_company(state, item) == company_id
    ]
    return paginate(items, page, per_page)


def remove_from_blocklist(
    state: EmulatorState, params: dict[str, Any], context: CallContext
) -> bool:
    """Remove the blocklist item whose ID is `hashItemId`."""
    reader = ParamReader(params, {"hashItemId"})
    item_id = reader.object_id("hashItemId")
    if item_id not in state.blocklist:
        raise InvalidParams(f"'hashItemId' {item_id} does not match any blocklist item.")
    del state.blocklist[item_id]
    return True
