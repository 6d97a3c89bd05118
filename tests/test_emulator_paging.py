"""Emulator paging: 1-based pages, perPage default 30 and maximum 100, pages past the end."""

from __future__ import annotations

import pytest

from .test_emulator_support import COMPUTERS, INCIDENTS


@pytest.fixture
def long_blocklist(emulator):
    # 4 seeded items and 251 added ones: 255 items in all.
    return emulator.add_blocklist_items(251)


def blocklist_page(client, params):
    return client.rpc(INCIDENTS, "getBlocklistItems", params)["result"]


def test_defaults_are_page_1_of_30(client, long_blocklist):
    result = blocklist_page(client, {})

    assert result["page"] == 1
    assert result["perPage"] == 30
    assert result["total"] == 255
    assert result["pagesCount"] == 9
    assert len(result["items"]) == 30


def test_full_page_of_100(client, long_blocklist):
    result = blocklist_page(client, {"page": 2, "perPage": 100})

    assert result["pagesCount"] == 3
    assert len(result["items"]) == 100
    assert result["items"][0]["id"] == long_blocklist[96]


def test_last_page_is_partial(client, long_blocklist):
    result = blocklist_page(client, {"page": 3, "perPage": 100})

    assert result["page"] == 3
    assert len(result["items"]) == 55
    assert result["items"][-1]["id"] == long_blocklist[-1]


def test_page_past_the_end_is_empty(client, long_blocklist):
    result = blocklist_page(client, {"page": 4, "perPage": 100})

    assert result == {"total": 255, "page": 4, "perPage": 100, "pagesCount": 3, "items": []}


def test_pages_cover_every_item_once(client, long_blocklist):
    seen = []
    for page in (1, 2, 3):
        seen += [
            item["id"] for item in blocklist_page(client, {"page": page, "perPage": 100})["items"]
        ]

    assert len(seen) == 255
    assert len(set(seen)) == 255


def test_empty_list_has_no_pages(client, emulator):
    emulator.clear_blocklist()

    result = blocklist_page(client, {})

    assert result == {"total": 0, "page": 1, "perPage": 30, "pagesCount": 0, "items": []}


def test_empty_quarantine_list(client, emulator):
    emulator.clear_quarantine()

    result = client.rpc(COMPUTERS, "getQuarantineItemsList")["result"]

    assert result == {"total": 0, "page": 1, "perPage": 30, "pagesCount": 0, "items": []}


@pytest.mark.parametrize(
    ("params", "details"),
    [
        ({"perPage": 101}, "'perPage' must be at most 100, got 101."),
        ({"perPage": 0}, "'perPage' must be at least 1, got 0."),
        ({"page": 0}, "'page' must be at least 1, got 0."),
        ({"page": -1}, "'page' must be at least 1, got -1."),
        ({"page": 1.5}, "'page' must be an integer, got number."),
    ],
)
def test_out_of_range_paging_is_invalid(client, params, details):
    error = client.rpc(INCIDENTS, "getBlocklistItems", params)["error"]

    assert error["code"] == -32602
    assert error["data"]["details"] == details


@pytest.mark.parametrize(
    ("route", "method"),
    [(INCIDENTS, "getCustomRulesList"), (COMPUTERS, "getQuarantineItemsList")],
)
def test_every_list_rejects_per_page_1000(client, route, method):
    error = client.rpc(route, method, {"perPage": 1000})["error"]

    assert error["data"]["details"] == "'perPage' must be at most 100, got 1000."


def test_long_rules_list(client, emulator):
    emulator.add_custom_rules(120)

    result = client.rpc(INCIDENTS, "getCustomRulesList", {"page": 2, "perPage": 100})["result"]

    assert result["total"] == 123
    assert len(result["items"]) == 23


def test_long_quarantine_list(client, emulator):
    emulator.add_quarantine_items(300)

    result = client.rpc(COMPUTERS, "getQuarantineItemsList", {"page": 4, "perPage": 100})["result"]

    assert result["total"] == 309
    assert len(result["items"]) == 9
