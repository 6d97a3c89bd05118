"""Page walking (all_pages) against the emulator and a recording server."""

from __future__ import annotations

import pytest

from bitdefender_connector import ActionFailedError, Connector, InputError, NoResponseError
from bitdefender_connector.emulator import Emulator, Fault
from bitdefender_connector.retry_policy import RetryPolicy

from .test_cli import run_cli, single_json, write_config

API_KEY = "page-walker-key-3e9a1b"
LIST_METHOD = "getBlocklistItems"


class CountingLimiter:
    """A rate limiter stand-in that counts acquisitions and can inject a fault before one of them.

    The connector calls acquire() once per HTTP attempt, right before sending, so a fault added
    at call ``fault_on_call`` hits exactly that attempt.
    """

    def __init__(
        self,
        emulator: Emulator,
        fault_on_call: int | None = None,
        fault: Fault | None = None,
        **options,
    ) -> None:
        self.emulator = emulator
        self.fault_on_call = fault_on_call
        self.fault = fault
        self.options = options
        self.calls = 0

    def acquire(self, action, api_key, request_id) -> float:
        self.calls += 1
        if self.calls == self.fault_on_call:
            self.emulator.inject_fault(self.fault, method=action.jsonrpc_method, **self.options)
        return 0.0


@pytest.fixture
def emulator():
    with Emulator(api_keys={API_KEY: {"incidents", "quarantine"}}, rate_limits=False) as running:
        running.clear_blocklist()
        yield running


def make_connector(emulator, **options) -> Connector:
    options.setdefault("rate_limiting", False)
    return Connector({"url": emulator.access_url, "username": API_KEY}, **options)


def walk_blocklist(emulator, params=None, **options):
    with make_connector(emulator) as connector:
        return connector.run(
            "get_block_list_items",
            {"json_body": {"params": params or {}}},
            all_pages=True,
            **options,
        )


def sent_params(emulator) -> list[dict]:
    return [request.json["params"] for request in emulator.requests]


# Walking a list


def test_four_pages_item_count(emulator):
    emulator.add_blocklist_items(342)

    envelope = walk_blocklist(emulator)

    assert len(envelope["json_body"]["result"]["items"]) == 342


def test_four_pages_items_in_order(emulator):
    ids = emulator.add_blocklist_items(342)

    envelope = walk_blocklist(emulator)

    assert [item["id"] for item in envelope["json_body"]["result"]["items"]] == ids


def test_four_pages_result_counts(emulator):
    emulator.add_blocklist_items(342)

    result = walk_blocklist(emulator)["json_body"]["result"]

    assert result["total"] == 342
    assert result["pagesCount"] == 4
    assert result["pages"] == 4
    assert result["perPage"] == 100
    assert result["page"] == 1


def test_four_pages_requests(emulator):
    emulator.add_blocklist_items(342)

    walk_blocklist(emulator)

    assert sent_params(emulator) == [
        {"page": 1, "perPage": 100},
        {"page": 2, "perPage": 100},
        {"page": 3, "perPage": 100},
        {"page": 4, "perPage": 100},
    ]


def test_each_page_has_own_id(emulator):
    emulator.add_blocklist_items(342)

    walk_blocklist(emulator)

    ids = [request.json["id"] for request in emulator.requests]
    assert len(set(ids)) == 4


def test_three_pages_last_partial(emulator):
    emulator.add_blocklist_items(260)

    result = walk_blocklist(emulator)["json_body"]["result"]

    assert len(result["items"]) == 260
    assert result["pages"] == 3
    assert result["pagesCount"] == 3


def test_envelope_shape(emulator):
    emulator.add_blocklist_items(260)

    envelope = walk_blocklist(emulator)

    assert envelope["status_code"] == 200
    assert envelope["reason"] == "OK"
    assert envelope["json_body"]["jsonrpc"] == "2.0"
    assert envelope["json_body"]["id"] == emulator.requests[0].json["id"]


def test_empty_list(emulator):
    result = walk_blocklist(emulator)["json_body"]["result"]

    assert result["items"] == []
    assert result["total"] == 0
    assert result["pagesCount"] == 0
    assert result["pages"] == 1


def test_empty_list_sends_one_request(emulator):
    walk_blocklist(emulator)

    assert len(emulator.requests) == 1


def test_caller_per_page(emulator):
    emulator.add_blocklist_items(120)

    result = walk_blocklist(emulator, {"perPage": 50})["json_body"]["result"]

    assert result["pages"] == 3
    assert [params["perPage"] for params in sent_params(emulator)] == [50, 50, 50]


def test_per_page_as_text(emulator):
    emulator.add_blocklist_items(120)

    result = walk_blocklist(emulator, {"perPage": "60"})["json_body"]["result"]

    assert result["pages"] == 2
    assert result["perPage"] == 60


def test_caller_id_on_first_page(emulator):
    emulator.add_blocklist_items(150)

    with make_connector(emulator) as connector:
        envelope = connector.run(
            "get_block_list_items", {"json_body": {"id": "walk-1"}}, all_pages=True
        )

    ids = [request.json["id"] for request in emulator.requests]
    assert ids[0] == "walk-1"
    assert ids[1] != "walk-1"
    assert envelope["json_body"]["id"] == "walk-1"


def test_quarantine_items_three_pages(emulator):
    emulator.clear_quarantine()
    emulator.add_quarantine_items(260)

    with make_connector(emulator) as connector:
        envelope = connector.run(
            "get_quarantine_items",
            {"json_body": {}, "path_parameters": {"type": "computers"}},
            all_pages=True,
        )

    assert len(envelope["json_body"]["result"]["items"]) == 260
    assert envelope["json_body"]["result"]["pages"] == 3


def test_rules_three_pages(emulator):
    emulator.clear_custom_rules()
    emulator.add_custom_rules(260, rule_type=2)

    with make_connector(emulator) as connector:
        envelope = connector.run(
            "get_rules", {"json_body": {"params": {"type": 2}}}, all_pages=True
        )

    assert len(envelope["json_body"]["result"]["items"]) == 260
    assert envelope["json_body"]["result"]["pages"] == 3


# Stopping early


def test_max_items_stops_early(emulator):
    ids = emulator.add_blocklist_items(342)

    result = walk_blocklist(emulator, max_items=150)["json_body"]["result"]

    assert [item["id"] for item in result["items"]] == ids[:150]
    assert result["pages"] == 2
    assert len(emulator.requests) == 2


def test_max_items_keeps_server_counts(emulator):
    emulator.add_blocklist_items(342)

    result = walk_blocklist(emulator, max_items=150)["json_body"]["result"]

    assert result["total"] == 342
    assert result["pagesCount"] == 4


def test_max_items_one_full_page(emulator):
    emulator.add_blocklist_items(342)

    result = walk_blocklist(emulator, max_items=100)["json_body"]["result"]

    assert len(result["items"]) == 100
    assert result["pages"] == 1


def test_max_items_above_total(emulator):
    emulator.add_blocklist_items(120)

    result = walk_blocklist(emulator, max_items=1000)["json_body"]["result"]

    assert len(result["items"]) == 120
    assert result["pages"] == 2


def test_empty_page_before_pages_count(recording_server, server_connection):
    def respond(request):
        body = request.json()
        page = body["params"]["page"]
        items = [{"id": "5b7ac19bb1a43dfb107b23c6"}, {"id": "5b7ac19bb1a43dfb107b23c7"}]
        result = {
            "total": 5,
            "page": page,
            "perPage": 100,
            "pagesCount": 3,
            "items": items if page == 1 else [],
        }
        return {"id": body["id"], "jsonrpc": "2.0", "result": result}

    recording_server.respond(body=respond)

    with Connector(server_connection, rate_limiting=False) as connector:
        envelope = connector.run("get_block_list_items", {"json_body": {}}, all_pages=True)

    assert envelope["json_body"]["result"]["pages"] == 2
    assert len(envelope["json_body"]["result"]["items"]) == 2
    assert len(recording_server.requests) == 2


# Failures


def test_error_on_page_2(emulator):
    emulator.add_blocklist_items(342)
    limiter = CountingLimiter(emulator, 2, Fault.JSONRPC_ERROR, details="page two broke")

    with make_connector(emulator, rate_limiter=limiter, rate_limiting=True) as connector:
        with pytest.raises(ActionFailedError) as raised:
            connector.run("get_block_list_items", {"json_body": {}}, all_pages=True)

    assert "page 2 of 4 failed" in str(raised.value)
    assert "page two broke" in str(raised.value)
    assert raised.value.reason_code == "jsonrpc_error"
    assert raised.value.envelope["json_body"]["error"]["code"] == -32000
    assert len(emulator.requests) == 2


def test_no_response_on_page_2(emulator):
    emulator.add_blocklist_items(342)
    limiter = CountingLimiter(emulator, 2, Fault.DROP_CONNECTION)
    options = {"rate_limiter": limiter, "rate_limiting": True}

    with make_connector(emulator, retry_policy=RetryPolicy(max_attempts=1), **options) as connector:
        with pytest.raises(NoResponseError) as raised:
            connector.run("get_block_list_items", {"json_body": {}}, all_pages=True)

    assert "page 2 of 4 failed" in str(raised.value)


def test_retry_applies_to_page_3(emulator):
    emulator.add_blocklist_items(260)
    limiter = CountingLimiter(emulator, 3, Fault.HTTP_429, retry_after=0)
    waits: list[float] = []

    with make_connector(
        emulator, rate_limiter=limiter, rate_limiting=True, sleep=waits.append
    ) as connector:
        envelope = connector.run("get_block_list_items", {"json_body": {}}, all_pages=True)

    assert len(envelope["json_body"]["result"]["items"]) == 260
    assert envelope["json_body"]["result"]["pages"] == 3
    assert len(emulator.requests) == 4
    # Retry-After 0 falls back to the policy's first backoff of 1 s.
    assert waits == [1.0]


def test_rate_limiter_sees_every_page(emulator):
    emulator.add_blocklist_items(260)
    limiter = CountingLimiter(emulator)

    with make_connector(emulator, rate_limiter=limiter, rate_limiting=True) as connector:
        connector.run("get_block_list_items", {"json_body": {}}, all_pages=True)

    assert limiter.calls == 3


def test_result_without_pages_count(recording_server, server_connection):
    recording_server.respond(
        body=lambda request: {"id": request.json()["id"], "jsonrpc": "2.0", "result": {"items": []}}
    )

    with Connector(server_connection, rate_limiting=False) as connector:
        with pytest.raises(ActionFailedError) as raised:
            connector.run("get_block_list_items", {"json_body": {}}, all_pages=True)

    assert raised.value.reason_code == "not_paged"


# Options


def test_all_pages_on_non_list_action(emulator):
    with make_connector(emulator) as connector:
        with pytest.raises(InputError) as raised:
            connector.run("isolate_host", {"json_body": {}}, all_pages=True)

    assert raised.value.errors[0].path == "all_pages"
    assert emulator.requests == []


def test_max_items_without_all_pages(emulator):
    with make_connector(emulator) as connector:
        with pytest.raises(InputError) as raised:
            connector.run("get_block_list_items", {"json_body": {}}, max_items=10)

    assert raised.value.errors[0].path == "max_items"


@pytest.mark.parametrize("max_items", [0, -3, True, 2.5])
def test_invalid_max_items(emulator, max_items):
    with make_connector(emulator) as connector:
        with pytest.raises(InputError) as raised:
            connector.run(
                "get_block_list_items", {"json_body": {}}, all_pages=True, max_items=max_items
            )

    assert raised.value.errors[0].path == "max_items"


def test_start_page_other_than_1(emulator):
    with make_connector(emulator) as connector:
        with pytest.raises(InputError) as raised:
            connector.run(
                "get_block_list_items", {"json_body": {"params": {"page": 2}}}, all_pages=True
            )

    assert raised.value.errors[0].path == "json_body.params.page"
    assert emulator.requests == []


def test_invalid_per_page(emulator):
    with make_connector(emulator) as connector:
        with pytest.raises(InputError) as raised:
            connector.run(
                "get_block_list_items", {"json_body": {"params": {"perPage": 500}}}, all_pages=True
            )

    assert raised.value.errors[0].path == "json_body.params.perPage"


def test_dry_run_describes_first_page(emulator):
    with make_connector(emulator) as connector:
        description = connector.run(
            "get_block_list_items", {"json_body": {}}, dry_run=True, all_pages=True
        )

    assert description["request"]["json_body"]["params"] == {"page": 1, "perPage": 100}
    assert description["all_pages"] is True
    assert emulator.requests == []


# Command line


def test_cli_all_pages(emulator, tmp_path):
    emulator.add_blocklist_items(150)
    config = write_config(tmp_path, url=emulator.access_url, username=API_KEY)

    completed = run_cli(
        "run",
        "get_block_list_items",
        "--config",
        str(config),
        "--input",
        '{"json_body": {}}',
        "--all-pages",
        "--no-rate-limit",
    )

    result = single_json(completed.stdout)["json_body"]["result"]
    assert completed.returncode == 0
    assert len(result["items"]) == 150
    assert result["pages"] == 2


def test_cli_max_items(emulator, tmp_path):
    emulator.add_blocklist_items(150)
    config = write_config(tmp_path, url=emulator.access_url, username=API_KEY)

    completed = run_cli(
        "run",
        "get_block_list_items",
        "--config",
        str(config),
        "--input",
        '{"json_body": {}}',
        "--all-pages",
        "--max-items",
        "5",
        "--no-rate-limit",
    )

    assert completed.returncode == 0
    assert len(single_json(completed.stdout)["json_body"]["result"]["items"]) == 5


def test_cli_max_items_needs_all_pages():
    completed = run_cli("run", "get_block_list_items", "--example", "--dry-run", "--max-items", "5")

    error = single_json(completed.stdout)["error"]
    assert completed.returncode == 2
    assert error["fields"][0]["path"] == "max_items"
