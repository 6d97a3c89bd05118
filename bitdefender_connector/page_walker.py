"""Page walking: runs a list action page by page and returns one envelope with every item.

Each page is an ordinary call through Connector.run_action, so input checks, the rate limiter,
the retry policy and the JSON-RPC error check apply to every page, and each page request gets
its own JSON-RPC id.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .action_input import JSON_BODY, check_action_input, drop_empty_path_parameters
from .conversion import convert_inputs
from .errors import ActionFailedError, FieldError, InputError, NoResponseError
from .manifest import Action

if TYPE_CHECKING:
    from .connector import Connector

logger = logging.getLogger(__name__)

PAGE = "page"
PER_PAGE = "perPage"
FIRST_PAGE = 1
# The largest page GravityZone's list methods accept, so a walk needs the fewest requests.
DEFAULT_PER_PAGE = 100
ALL_PAGES_OPTION = "all_pages"
MAX_ITEMS_OPTION = "max_items"

# The maximum number of pages one walk requests, so that a server reporting a huge pagesCount
# cannot keep a playbook step running and growing in memory. 1,000 pages of 100 items are
# 100,000 items.
MAX_PAGES = 1000


def is_list_action(action: Action) -> bool:
    """Return True when the action's params include page and perPage."""
    json_body = action.inputs_schema.get("properties", {}).get(JSON_BODY, {})
    params = json_body.get("properties", {}).get("params", {}).get("properties", {})
    return PAGE in params and PER_PAGE in params


def check_page_options(action: Action, all_pages: bool, max_items: Any) -> None:
    """Raise InputError, naming the option, unless all_pages and max_items fit ``action``."""
    errors: list[FieldError] = []
    if not all_pages:
        errors.append(
            FieldError(MAX_ITEMS_OPTION, "dependency", "needs all_pages, so set both or neither")
        )
    elif not is_list_action(action):
        errors.append(
            FieldError(
                ALL_PAGES_OPTION,
                "list_action",
                f"{action.name} does not return pages, and all_pages works only with actions whose "
                "params include page and perPage",
            )
        )
    is_count = isinstance(max_items, int) and not isinstance(max_items, bool)
    if max_items is not None and (not is_count or max_items < 1):
        errors.append(
            FieldError(
                MAX_ITEMS_OPTION,
                "minimum",
                f"must be an integer of 1 or more, not {max_items!r}",
            )
        )
    if errors:
        raise InputError(action.name, errors)


@dataclass
class _WalkState:
    """The items and responses a walk has collected so far."""

    items: list[Any] = field(default_factory=list)
    pages_requested: int = 0
    first_response_id: Any = None
    last_envelope: Mapping[str, Any] = field(default_factory=dict)
    last_result: Mapping[str, Any] = field(default_factory=dict)


def walk_pages(
    connector: Connector,
    action: Action,
    inputs: Mapping[str, Any],
    *,
    dry_run: bool = False,
    max_items: int | None = None,
) -> dict[str, Any]:
    """Request page 1, 2, ... of a list action and return one envelope holding every item.

    perPage is the caller's value or 100. The walk stops after the last page that the server's
    pagesCount names, at the first empty page, or once ``max_items`` items are collected, and
    the items are then cut to ``max_items``. ``json_body.result`` carries the server's total and
    pagesCount from the last page, page 1, the perPage used, and ``pages``, the number of page
    requests made (retries not counted). The status, reason and headers are the last page's.
    The caller's JSON-RPC id, if any, is used for page 1, and later pages get fresh ids.

    A failure on any page raises ActionFailedError or NoResponseError naming the page, and no
    items are returned. A dry run describes the first page request.
    """
    inputs = drop_empty_path_parameters(action, inputs)
    inputs, conversions = convert_inputs(inputs, action.conversion_plan)
    check_action_input(action, inputs)
    for conversion in conversions:
        logger.info("%s: %s", action.name, conversion)
    params = inputs.get(JSON_BODY, {}).get("params") or {}
    _check_start_page(action, params.get(PAGE, FIRST_PAGE))
    per_page = params.get(PER_PAGE, DEFAULT_PER_PAGE)
    request_id = inputs.get(JSON_BODY, {}).get("id")

    if dry_run:
        first = _page_inputs(inputs, FIRST_PAGE, per_page, request_id)
        description = connector.run_action(action, first, dry_run=True)
        description[ALL_PAGES_OPTION] = True
        if conversions:
            description["conversions"] = list(conversions)
        return description

    state = _collect_pages(connector, action, inputs, per_page, request_id, max_items)
    logger.info(
        "%s: collected %d items in %d page requests (server total %s)",
        action.name,
        len(state.items),
        state.pages_requested,
        state.last_result.get("total"),
    )
    return _combined_envelope(state, per_page)


def _collect_pages(
    connector: Connector,
    action: Action,
    inputs: Mapping[str, Any],
    per_page: int,
    request_id: str | None,
    max_items: int | None,
) -> _WalkState:
    state = _WalkState()
    page = FIRST_PAGE
    pages_count: int | None = None
    while True:
        page_inputs = _page_inputs(inputs, page, per_page, request_id)
        envelope = _fetch_page(connector, action, page_inputs, page, pages_count)
        state.pages_requested += 1
        if page == FIRST_PAGE:
            state.first_response_id = envelope["json_body"].get("id")
        result = _page_result(action, envelope, page)
        state.last_envelope, state.last_result = envelope, result
        pages_count = result["pagesCount"]
        state.items.extend(result["items"])

        if max_items is not None and len(state.items) >= max_items:
            del state.items[max_items:]
            return state
        if page >= pages_count:
            return state
        if state.pages_requested >= MAX_PAGES:
            logger.warning(
                "%s: stopped after %d pages although pagesCount is %d; use max_items or filters "
                "to fetch less",
                action.name,
                MAX_PAGES,
                pages_count,
            )
            return state
        if not result["items"]:
            logger.warning(
                "%s: page %d is empty although pagesCount is %d, so the walk stops there",
                action.name,
                page,
                pages_count,
            )
            return state
        page += 1
        request_id = None


def _combined_envelope(state: _WalkState, per_page: int) -> dict[str, Any]:
    last = state.last_envelope
    return {
        "status_code": last["status_code"],
        "reason": last["reason"],
        "response_headers": last["response_headers"],
        "json_body": {
            "id": state.first_response_id,
            "jsonrpc": last["json_body"].get("jsonrpc", "2.0"),
            "result": {
                "total": state.last_result.get("total"),
                "page": FIRST_PAGE,
                "perPage": per_page,
                "pagesCount": state.last_result["pagesCount"],
                "items": state.items,
                "pages": state.pages_requested,
            },
        },
    }


def _check_start_page(action: Action, start: Any) -> None:
    if start != FIRST_PAGE:
        raise InputError(
            action.name,
            [
                FieldError(
                    f"{JSON_BODY}.params.{PAGE}",
                    ALL_PAGES_OPTION,
                    f"{start!r} is not allowed with all_pages, which always starts at page 1. "
                    "Remove page from the input",
                )
            ],
        )


def _page_inputs(
    inputs: Mapping[str, Any], page: int, per_page: int, request_id: str | None
) -> dict[str, Any]:
    """Return a copy of ``inputs`` for one page, with a new id when ``request_id`` is None."""
    page_inputs = copy.deepcopy(dict(inputs))
    json_body = dict(page_inputs.get(JSON_BODY) or {})
    json_body["params"] = {**(json_body.get("params") or {}), PAGE: page, PER_PAGE: per_page}
    if request_id is None:
        json_body.pop("id", None)
    else:
        json_body["id"] = request_id
    page_inputs[JSON_BODY] = json_body
    return page_inputs


def _fetch_page(
    connector: Connector,
    action: Action,
    page_inputs: Mapping[str, Any],
    page: int,
    pages_count: int | None,
) -> dict[str, Any]:
    """Run one page request, adding the page number to the message of any failure."""
    of_pages = f" of {pages_count}" if pages_count is not None else ""
    prefix = f"{action.name}: page {page}{of_pages} failed, so all_pages returns no items"
    try:
        return connector.run_action(action, page_inputs)
    except ActionFailedError as error:
        detail = str(error).removeprefix(f"{action.name}: ")
        raise ActionFailedError(f"{prefix}: {detail}", error.envelope, error.reason_code) from error
    except NoResponseError as error:
        raise NoResponseError(f"{prefix}: {error}", error.reason_code) from error


def _page_result(action: Action, envelope: Mapping[str, Any], page: int) -> Mapping[str, Any]:
    """Return the page's result, or raise ActionFailedError when it cannot be walked."""
    body = envelope.get("json_body")
    result = body.get("result") if isinstance(body, Mapping) else None
    if isinstance(result, Mapping):
        items = result.get("items")
        pages_count = result.get("pagesCount")
        if isinstance(items, list) and isinstance(pages_count, int):
            return result
    raise ActionFailedError(
        f"{action.name}: page {page} has no items list and integer pagesCount in its result, so "
        "all_pages cannot go on. Run the action without all_pages to see the response",
        envelope,
        "not_paged",
    )
