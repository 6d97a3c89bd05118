"""Paging of list results: 1-based pages, perPage from 1 to 100, default 30."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .params import ParamReader

PAGING_PARAMS = ("page", "perPage")
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


def read_paging(reader: ParamReader) -> tuple[int, int]:
    """Return (page, perPage) from the params, rejecting perPage over 100 with -32602."""
    page = reader.optional_integer("page", default=1, minimum=1)
    per_page = reader.optional_integer(
        "perPage", default=DEFAULT_PER_PAGE, minimum=1, maximum=MAX_PER_PAGE
    )
    return page, per_page


def paginate(items: Sequence[dict[str, Any]], page: int, per_page: int) -> dict[str, Any]:
    """Return one page of `items` with total, page, perPage and pagesCount.

    pagesCount is 0 for an empty list. A page past the last one has no items.
    """
    total = len(items)
    pages_count = (total + per_page - 1) // per_page
    start = (page - 1) * per_page
    return {
        "total": total,
        "page": page,
        "perPage": per_page,
        "pagesCount": pages_count,
        "items": list(items[start : start + per_page]),
    }
