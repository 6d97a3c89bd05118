"""Emulator methods: each mutating call changes the state that later list calls show."""

from __future__ import annotations

import pytest

from .test_emulator_support import COMPUTERS, EXCHANGE, INCIDENTS, QUARANTINE

FINANCE_ENDPOINT = "5b680f6fb1a43d860a7b23c1"
HR_ENDPOINT = "63896b87b7894d0f367b23c6"
FILES_ENDPOINT = "65896b87b7894d0f367b23c6"
SEEDED_ITEM_A = "63896b87b7894d0f367b23c6"
SEEDED_ITEM_B = "65896b87b7894d0f367b23c6"
NOT_RESTORABLE_ITEM = "5d4a1c0e3b2f1a0009a1b006"
UNKNOWN_ID = "aaaaaaaaaaaaaaaaaaaaaaaa"
DEFAULT_COMPANY = "61827b8036492c2fc0718722"
CUSTOMER_COMPANY = "61827b8036492c2fc07187a0"
# IDs that a fresh emulator generates, in order.
FIRST_NEW_ID = "6650a1c00000000000000001"
SECOND_NEW_ID = "6650a1c00000000000000002"


def list_items(client, route, method, params=None):
    params = {"perPage": 100, **(params or {})}
    return client.rpc(route, method, params)["result"]["items"]


def quarantine_item(client, route, item_id):
    return next(
        item
        for item in list_items(client, route, "getQuarantineItemsList")
        if item["id"] == item_id
    )


def error_of(client, route, method, params):
    body = client.rpc(route, method, params)
    return body["error"]


# Isolation


def test_isolate_sets_isolated_flag(client, emulator):
    result = client.rpc(INCIDENTS, "createIsolateEndpointTask", {"endpointId": FINANCE_ENDPOINT})

    assert result["result"] is True
    assert emulator.state.endpoints[FINANCE_ENDPOINT].isolated is True


def test_isolate_twice_succeeds(client, emulator):
    client.rpc(INCIDENTS, "createIsolateEndpointTask", {"endpointId": FINANCE_ENDPOINT})

    result = client.rpc(INCIDENTS, "createIsolateEndpointTask", {"endpointId": FINANCE_ENDPOINT})

    assert result["result"] is True
    assert emulator.state.endpoints[FINANCE_ENDPOINT].isolated is True


def test_restore_clears_isolated_flag(client, emulator):
    client.rpc(INCIDENTS, "createIsolateEndpointTask", {"endpointId": FINANCE_ENDPOINT})

    result = client.rpc(
        INCIDENTS, "createRestoreEndpointFromIsolationTask", {"endpointId": FINANCE_ENDPOINT}
    )

    assert result["result"] is True
    assert emulator.state.endpoints[FINANCE_ENDPOINT].isolated is False


def test_restore_of_connected_endpoint_succeeds(client):
    result = client.rpc(
        INCIDENTS, "createRestoreEndpointFromIsolationTask", {"endpointId": FINANCE_ENDPOINT}
    )

    assert result["result"] is True


def test_isolate_unknown_endpoint_is_invalid(client):
    error = error_of(client, INCIDENTS, "createIsolateEndpointTask", {"endpointId": UNKNOWN_ID})

    assert error == {
        "code": -32602,
        "message": "Invalid params",
        "data": {"details": "'endpointId' aaaaaaaaaaaaaaaaaaaaaaaa does not match any endpoint."},
    }


def test_isolate_accepts_upper_case_id(client, emulator):
    client.rpc(INCIDENTS, "createIsolateEndpointTask", {"endpointId": FINANCE_ENDPOINT.upper()})

    assert emulator.state.endpoints[FINANCE_ENDPOINT].isolated is True


# Blocklist


def test_add_to_blocklist_one_item_per_hash(client):
    params = {
        "hashType": 2,
        "hashList": ["f696282aa4cd4f614aa995190cf442fe", "9e107d9d372bb6826bd81d3542a419d6"],
        "sourceInfo": "Added from a playbook",
    }

    assert client.rpc(INCIDENTS, "addToBlocklist", params)["result"] is True

    items = list_items(client, INCIDENTS, "getBlocklistItems")
    assert len(items) == 6
    assert items[4] == {
        "companyId": DEFAULT_COMPANY,
        "hash": "f696282aa4cd4f614aa995190cf442fe",
        "hashType": 2,
        "id": FIRST_NEW_ID,
        "source": 3,
        "sourceInfo": "Added from a playbook",
    }
    assert items[5]["id"] == SECOND_NEW_ID
    assert items[5]["hash"] == "9e107d9d372bb6826bd81d3542a419d6"


def test_add_sha256_to_blocklist(client):
    sha256 = "a" * 64
    params = {"hashType": 1, "hashList": [sha256], "sourceInfo": "SHA256 test"}

    client.rpc(INCIDENTS, "addToBlocklist", params)

    items = list_items(client, INCIDENTS, "getBlocklistItems")
    assert items[-1]["hash"] == sha256
    assert items[-1]["hashType"] == 1


def test_add_to_blocklist_skips_listed_hash(client):
    params = {
        "hashType": 2,
        "hashList": ["0cc175b9c0f1b6a831c399e269772661"],
        "sourceInfo": "Duplicate of a seeded hash",
    }

    assert client.rpc(INCIDENTS, "addToBlocklist", params)["result"] is True

    assert len(list_items(client, INCIDENTS, "getBlocklistItems")) == 4


def test_add_to_blocklist_for_other_company(client):
    params = {
        "hashType": 2,
        "hashList": ["0cc175b9c0f1b6a831c399e269772661"],
        "sourceInfo": "Same hash, customer company",
        "companyId": CUSTOMER_COMPANY,
    }

    client.rpc(INCIDENTS, "addToBlocklist", params)

    customer_items = list_items(
        client, INCIDENTS, "getBlocklistItems", {"companyId": CUSTOMER_COMPANY}
    )
    assert [item["id"] for item in customer_items] == ["5b7ac19bb1a43dfb107b23c9", FIRST_NEW_ID]


def test_blocklist_bad_hash_adds_nothing(client):
    params = {
        "hashType": 2,
        "hashList": ["f696282aa4cd4f614aa995190cf442fe", "not-a-hash"],
        "sourceInfo": "Mixed",
    }

    error = client.rpc(INCIDENTS, "addToBlocklist", params)["error"]

    assert error["data"]["details"] == (
        "'hashList[1]' must be an MD5 hash of 32 hexadecimal characters (hashType 2), "
        "got 'not-a-hash'."
    )
    assert len(list_items(client, INCIDENTS, "getBlocklistItems")) == 4


def test_sha256_hash_with_md5_type_is_invalid(client):
    params = {"hashType": 2, "hashList": ["a" * 64], "sourceInfo": "Wrong type"}

    error = client.rpc(INCIDENTS, "addToBlocklist", params)["error"]

    assert error["code"] == -32602


def test_blocklist_company_filter(client):
    items = list_items(client, INCIDENTS, "getBlocklistItems", {"companyId": DEFAULT_COMPANY})

    assert [item["id"] for item in items] == [
        "5b7ac19bb1a43dfb107b23c6",
        "5b7ac19bb1a43dfb107b23c7",
        "5b7ac19bb1a43dfb107b23c8",
    ]


def test_remove_from_blocklist_removes_item(client):
    result = client.rpc(
        INCIDENTS, "removeFromBlocklist", {"hashItemId": "5b7ac19bb1a43dfb107b23c8"}
    )

    assert result["result"] is True
    ids = [item["id"] for item in list_items(client, INCIDENTS, "getBlocklistItems")]
    assert ids == [
        "5b7ac19bb1a43dfb107b23c6",
        "5b7ac19bb1a43dfb107b23c7",
        "5b7ac19bb1a43dfb107b23c9",
    ]


def test_remove_from_blocklist_twice_is_invalid(client):
    client.rpc(INCIDENTS, "removeFromBlocklist", {"hashItemId": "5b7ac19bb1a43dfb107b23c8"})

    error = client.rpc(
        INCIDENTS, "removeFromBlocklist", {"hashItemId": "5b7ac19bb1a43dfb107b23c8"}
    )["error"]

    assert error["data"]["details"] == (
        "'hashItemId' 5b7ac19bb1a43dfb107b23c8 does not match any blocklist item."
    )


def test_added_blocklist_item_can_be_removed(client, emulator):
    params = {"hashType": 2, "hashList": ["f696282aa4cd4f614aa995190cf442fe"], "sourceInfo": "x"}
    client.rpc(INCIDENTS, "addToBlocklist", params)

    client.rpc(INCIDENTS, "removeFromBlocklist", {"hashItemId": FIRST_NEW_ID})

    assert FIRST_NEW_ID not in emulator.state.blocklist


# Custom rules

NEW_EXCLUSION = {
    "name": "Allow updater",
    "settings": {
        "status": 1,
        "target": "process",
        "criteriaList": [{"field": "Process.Name", "relation": "is", "value": "updater.exe"}],
    },
}


def test_create_rule_without_return_id_returns_true(client):
    assert client.rpc(INCIDENTS, "createCustomRule", NEW_EXCLUSION)["result"] is True


def test_created_rule_defaults_to_exclusion(client):
    client.rpc(INCIDENTS, "createCustomRule", NEW_EXCLUSION)

    rules = list_items(client, INCIDENTS, "getCustomRulesList", {"companyId": DEFAULT_COMPANY})

    assert rules[-1] == {
        "id": FIRST_NEW_ID,
        "name": "Allow updater",
        "owner": "61827b8036492c2fc0718730",
        "companyId": DEFAULT_COMPANY,
        "status": 1,
        "tags": [],
        "settings": {
            "status": 1,
            "target": "process",
            "criteriaList": [{"field": "Process.Name", "relation": "is", "value": "updater.exe"}],
        },
    }


def test_detection_rule_listed_with_description(client):
    params = {
        **NEW_EXCLUSION,
        "type": 1,
        "description": "Watches the updater",
        "tags": ["updater"],
        "returnRuleId": True,
    }
    params["settings"] = {**NEW_EXCLUSION["settings"], "severity": 2}

    rule_id = client.rpc(INCIDENTS, "createCustomRule", params)["result"]

    rules = list_items(client, INCIDENTS, "getCustomRulesList", {"type": 1})
    assert rule_id == FIRST_NEW_ID
    assert rules[-1]["id"] == FIRST_NEW_ID
    assert rules[-1]["description"] == "Watches the updater"
    assert rules[-1]["tags"] == ["updater"]
    assert rules[-1]["settings"]["severity"] == 2


def test_rule_name_reused_in_other_company(client):
    params = {**NEW_EXCLUSION, "name": "Backup agent", "companyId": CUSTOMER_COMPANY}

    assert client.rpc(INCIDENTS, "createCustomRule", params)["result"] is True


def test_create_rule_accepts_targets(client):
    params = {**NEW_EXCLUSION, "targets": {"companiesIds": [DEFAULT_COMPANY, CUSTOMER_COMPANY]}}

    assert client.rpc(INCIDENTS, "createCustomRule", params)["result"] is True


def test_rules_list_defaults_to_exclusion_rules(client):
    rules = list_items(client, INCIDENTS, "getCustomRulesList")

    assert [rule["id"] for rule in rules] == [
        "6182a7e26f59d3072a1e8fd0",
        "6182a7e26f59d3072a1e8fd1",
        "6182a7e26f59d3072a1e8fd2",
    ]


def test_rules_list_company_filter(client):
    rules = list_items(client, INCIDENTS, "getCustomRulesList", {"companyId": CUSTOMER_COMPANY})

    assert [rule["id"] for rule in rules] == ["6182a7e26f59d3072a1e8fd2"]


def test_seeded_detection_rule_shape(client):
    rules = list_items(client, INCIDENTS, "getCustomRulesList", {"type": 1})

    assert rules[0] == {
        "id": "6182a7e26f59d3072a1e8fc5",
        "name": "Suspicious PowerShell download",
        "owner": "61827b8036492c2fc0718730",
        "companyId": DEFAULT_COMPANY,
        "status": 1,
        "tags": ["powershell"],
        "settings": {
            "status": 1,
            "severity": 3,
            "target": "process",
            "criteriaList": [
                {"field": "Process.Name", "relation": "is", "value": "powershell.exe"},
                {
                    "field": "Process.CommandLine",
                    "relation": "contains",
                    "value": "*DownloadString*",
                },
            ],
        },
        "description": "Flags PowerShell processes that download scripts.",
    }


def test_delete_detection_rule_leaves_other_rule(client):
    result = client.rpc(
        INCIDENTS, "deleteCustomRule", {"ruleId": "6182a7e26f59d3072a1e8fc5", "type": 1}
    )

    assert result["result"] is True
    rules = list_items(client, INCIDENTS, "getCustomRulesList", {"type": 1})
    assert [rule["id"] for rule in rules] == ["6182a7e26f59d3072a1e8fc6"]


def test_delete_detection_rule_default_type(client, emulator):
    error = client.rpc(INCIDENTS, "deleteCustomRule", {"ruleId": "6182a7e26f59d3072a1e8fc5"})[
        "error"
    ]

    assert error["code"] == -32602
    assert error["data"]["details"] == (
        "Rule 6182a7e26f59d3072a1e8fc5 is a detection rule (type 1), but 'type' is 2. "
        "Pass type 1 to delete it."
    )
    assert "6182a7e26f59d3072a1e8fc5" in emulator.state.custom_rules


def test_delete_exclusion_rule_with_default_type(client, emulator):
    result = client.rpc(INCIDENTS, "deleteCustomRule", {"ruleId": "6182a7e26f59d3072a1e8fd0"})

    assert result["result"] is True
    assert "6182a7e26f59d3072a1e8fd0" not in emulator.state.custom_rules


def test_delete_unknown_rule_is_invalid(client):
    error = client.rpc(INCIDENTS, "deleteCustomRule", {"ruleId": UNKNOWN_ID, "type": 2})["error"]

    assert error["data"]["details"] == (
        "'ruleId' aaaaaaaaaaaaaaaaaaaaaaaa does not match any custom rule."
    )


def test_created_rule_can_be_deleted(client, emulator):
    client.rpc(INCIDENTS, "createCustomRule", NEW_EXCLUSION)

    client.rpc(INCIDENTS, "deleteCustomRule", {"ruleId": FIRST_NEW_ID})

    assert FIRST_NEW_ID not in emulator.state.custom_rules


# Quarantine


def test_add_file_creates_item_per_endpoint(client):
    params = {"endpointIds": [HR_ENDPOINT, FILES_ENDPOINT], "filePath": "C:\\temp\\bad.exe"}

    assert client.rpc(QUARANTINE, "createAddFileToQuarantineTask", params)["result"] is True

    items = list_items(client, COMPUTERS, "getQuarantineItemsList")
    assert len(items) == 11
    assert items[9] == {
        "id": FIRST_NEW_ID,
        "quarantinedOn": "2024-05-01T12:00:00",
        "actionStatus": 0,
        "companyId": DEFAULT_COMPANY,
        "endpointId": HR_ENDPOINT,
        "endpointName": "WKS-HR-02",
        "endpointIP": "10.0.1.22",
        "canBeRestored": True,
        "canBeRemoved": True,
        "threatName": "Quarantined by task",
        "details": {"filePath": "C:\\temp\\bad.exe"},
    }
    assert items[10]["endpointId"] == FILES_ENDPOINT
    assert items[10]["quarantinedOn"] == "2024-05-01T12:00:01"


def test_add_file_does_not_touch_exchange(client):
    params = {"endpointIds": [HR_ENDPOINT], "filePath": "C:\\temp\\bad.exe"}

    client.rpc(COMPUTERS, "createAddFileToQuarantineTask", params)

    assert len(list_items(client, EXCHANGE, "getQuarantineItemsList")) == 3


def test_add_file_unknown_endpoint_adds_nothing(client):
    params = {"endpointIds": [HR_ENDPOINT, UNKNOWN_ID], "filePath": "C:\\temp\\bad.exe"}

    error = client.rpc(QUARANTINE, "createAddFileToQuarantineTask", params)["error"]

    assert error["data"]["details"] == (
        "'endpointIds[1]' aaaaaaaaaaaaaaaaaaaaaaaa does not match any endpoint."
    )
    assert len(list_items(client, COMPUTERS, "getQuarantineItemsList")) == 9


def test_add_file_with_relative_path_is_invalid(client):
    params = {"endpointIds": [HR_ENDPOINT], "filePath": "bad.exe"}

    error = client.rpc(QUARANTINE, "createAddFileToQuarantineTask", params)["error"]

    assert error["data"]["details"] == (
        "'filePath' must be an absolute path such as C:\\folder\\file.exe, got 'bad.exe'."
    )


def test_remove_items_marks_pending_remove(client):
    params = {"quarantineItemsIds": [SEEDED_ITEM_A, SEEDED_ITEM_B]}

    assert client.rpc(COMPUTERS, "createRemoveQuarantineItemTask", params)["result"] is True

    assert quarantine_item(client, COMPUTERS, SEEDED_ITEM_A)["actionStatus"] == 1
    assert quarantine_item(client, COMPUTERS, SEEDED_ITEM_B)["actionStatus"] == 1
    assert quarantine_item(client, EXCHANGE, SEEDED_ITEM_A)["actionStatus"] == 0


def test_remove_items_on_exchange_marks_exchange_items(client):
    params = {"quarantineItemsIds": [SEEDED_ITEM_A]}

    client.rpc(EXCHANGE, "createRemoveQuarantineItemTask", params)

    assert quarantine_item(client, EXCHANGE, SEEDED_ITEM_A)["actionStatus"] == 1
    assert quarantine_item(client, COMPUTERS, SEEDED_ITEM_A)["actionStatus"] == 0


def test_remove_unknown_item_changes_nothing(client):
    params = {"quarantineItemsIds": [SEEDED_ITEM_A, UNKNOWN_ID]}

    error = client.rpc(COMPUTERS, "createRemoveQuarantineItemTask", params)["error"]

    assert error["data"]["details"] == (
        "One or more items are not available for the specified action. "
        "No computers quarantine item has ID aaaaaaaaaaaaaaaaaaaaaaaa."
    )
    assert quarantine_item(client, COMPUTERS, SEEDED_ITEM_A)["actionStatus"] == 0


def test_remove_exchange_item_on_computers(client):
    params = {"quarantineItemsIds": ["5d4a1c0e3b2f1a0009a1c001"]}

    error = client.rpc(COMPUTERS, "createRemoveQuarantineItemTask", params)["error"]

    assert error["code"] == -32602


def test_restore_items_marks_pending_restore(client):
    params = {"quarantineItemsIds": [SEEDED_ITEM_A]}

    assert client.rpc(COMPUTERS, "createRestoreQuarantineItemTask", params)["result"] is True

    assert quarantine_item(client, COMPUTERS, SEEDED_ITEM_A)["actionStatus"] == 2


def test_restore_unrestorable_item_rejected(client):
    params = {"quarantineItemsIds": [SEEDED_ITEM_A, NOT_RESTORABLE_ITEM]}

    error = client.rpc(COMPUTERS, "createRestoreQuarantineItemTask", params)["error"]

    assert error["data"]["details"] == (
        "At least one specified target is invalid. Item 5d4a1c0e3b2f1a0009a1b006 cannot be "
        "restored."
    )
    assert quarantine_item(client, COMPUTERS, SEEDED_ITEM_A)["actionStatus"] == 0


def test_restore_to_relative_location_is_invalid(client):
    params = {"quarantineItemsIds": [SEEDED_ITEM_A], "locationToRestore": "restore"}

    error = client.rpc(COMPUTERS, "createRestoreQuarantineItemTask", params)["error"]

    assert error["code"] == -32602


def test_restore_exchange_item_marks_pending_restore(client):
    params = {
        "quarantineItemsIds": [SEEDED_ITEM_B],
        "username": "user@domain",
        "password": "userPassword",
        "email": "user@example.com",
        "ewsUrl": "https://mail.example.com/EWS/Exchange.asmx",
    }

    assert client.rpc(EXCHANGE, "createRestoreQuarantineExchangeItemTask", params)["result"] is True

    assert quarantine_item(client, EXCHANGE, SEEDED_ITEM_B)["actionStatus"] == 2
    assert quarantine_item(client, COMPUTERS, SEEDED_ITEM_B)["actionStatus"] == 0


def test_exchange_restore_needs_password(client):
    params = {"quarantineItemsIds": [SEEDED_ITEM_B], "username": "user@domain"}

    error = client.rpc(EXCHANGE, "createRestoreQuarantineExchangeItemTask", params)["error"]

    assert error["data"]["details"] == "Missing required parameter 'password'."


def test_empty_computers_quarantine_keeps_exchange(client):
    assert client.rpc(COMPUTERS, "createEmptyQuarantineTask")["result"] is True

    assert list_items(client, COMPUTERS, "getQuarantineItemsList") == []
    assert len(list_items(client, EXCHANGE, "getQuarantineItemsList")) == 3


def test_empty_exchange_quarantine_keeps_computers(client):
    client.rpc(EXCHANGE, "createEmptyQuarantineTask")

    assert list_items(client, EXCHANGE, "getQuarantineItemsList") == []
    assert len(list_items(client, COMPUTERS, "getQuarantineItemsList")) == 9


def test_exchange_items_shape(client):
    items = list_items(client, EXCHANGE, "getQuarantineItemsList")

    assert items[0] == {
        "id": SEEDED_ITEM_A,
        "quarantinedOn": "2019-08-20T09:00:00",
        "actionStatus": 0,
        "companyId": DEFAULT_COMPANY,
        "endpointId": "5d36c255f23f730fa91944e3",
        "endpointName": "EXCH-01",
        "endpointIP": "10.0.2.20",
        "canBeRestored": True,
        "canBeRemoved": True,
        "threatName": "Trojan.PDF.Phish.A",
        "details": {"filePath": "Inbox\\Invoice 2019-08.pdf"},
    }


# Quarantine list filters


def item_ids(client, params):
    return [item["id"] for item in list_items(client, COMPUTERS, "getQuarantineItemsList", params)]


def test_filter_by_endpoint(client):
    assert item_ids(client, {"endpointId": FINANCE_ENDPOINT}) == ["5d4a1c0e3b2f1a0009a1b006"]


def test_threat_name_filter_matches_substring(client):
    assert item_ids(client, {"filters": {"threatName": "virus."}}) == [
        "5d4a1c0e3b2f1a0009a1b001",
        "5d4a1c0e3b2f1a0009a1b002",
        "5d4a1c0e3b2f1a0009a1b003",
        "5d4a1c0e3b2f1a0009a1b004",
        "5d4a1c0e3b2f1a0009a1b005",
    ]


def test_filter_with_wildcard(client):
    assert item_ids(client, {"filters": {"filePath": "*\\setup.exe"}}) == [SEEDED_ITEM_B]


def test_filter_by_action_status(client):
    assert item_ids(client, {"filters": {"actionStatus": 1}}) == [
        "5d4a1c0e3b2f1a0009a1b001",
        "5d4a1c0e3b2f1a0009a1b002",
        "5d4a1c0e3b2f1a0009a1b004",
        "5d4a1c0e3b2f1a0009a1b005",
    ]


def test_filter_end_date_is_inclusive(client):
    params = {
        "endpointId": "5d36c255f23f730fa91944e2",
        "filters": {"startDate": "2019-08-09T10:00:00", "endDate": "2019-08-16T11:31:16"},
    }

    assert item_ids(client, params) == ["5d4a1c0e3b2f1a0009a1b002"]


def test_filter_dates_with_utc_offset(client):
    params = {
        "filters": {"startDate": "2019-09-12T18:40:00+02:00", "endDate": "2019-09-12T16:40:00Z"}
    }

    assert item_ids(client, params) == [NOT_RESTORABLE_ITEM]


def test_filter_by_ip(client):
    assert item_ids(client, {"filters": {"ip": "192.168.10."}}) == ["5d4a1c0e3b2f1a0009a1b007"]


def test_filter_by_company(client):
    assert item_ids(client, {"companyId": CUSTOMER_COMPANY}) == ["5d4a1c0e3b2f1a0009a1b007"]


def test_exchange_only_action_status_is_accepted(client):
    items = list_items(
        client, EXCHANGE, "getQuarantineItemsList", {"filters": {"actionStatus": 17}}
    )

    assert [item["id"] for item in items] == ["5d4a1c0e3b2f1a0009a1c001"]


# Parameter validation (-32602)


@pytest.mark.parametrize(
    ("route", "method", "params", "details"),
    [
        (
            INCIDENTS,
            "createIsolateEndpointTask",
            {},
            "Missing required parameter 'endpointId'.",
        ),
        (
            INCIDENTS,
            "createIsolateEndpointTask",
            {"endpointID": FINANCE_ENDPOINT},
            "Unknown parameter 'endpointID'. Accepted: endpointId.",
        ),
        (
            INCIDENTS,
            "createIsolateEndpointTask",
            {"endpointId": "5b680f6fb1a43d860a7b23c"},
            "'endpointId' must be exactly 24 hexadecimal characters, "
            "got '5b680f6fb1a43d860a7b23c'.",
        ),
        (
            INCIDENTS,
            "createIsolateEndpointTask",
            {"endpointId": [FINANCE_ENDPOINT]},
            "'endpointId' must be a string of 24 hexadecimal characters, got array.",
        ),
        (
            INCIDENTS,
            "getBlocklistItems",
            {"page": None},
            "'page' must not be null. Omit optional parameters instead of sending null.",
        ),
        (
            INCIDENTS,
            "getBlocklistItems",
            {"perPage": "30"},
            "'perPage' must be an integer, got string.",
        ),
        (
            INCIDENTS,
            "getBlocklistItems",
            {"perPage": True},
            "'perPage' must be an integer, got boolean.",
        ),
        (
            INCIDENTS,
            "getBlocklistItems",
            {"companyId": UNKNOWN_ID},
            "'companyId' aaaaaaaaaaaaaaaaaaaaaaaa does not match any company.",
        ),
        (
            INCIDENTS,
            "addToBlocklist",
            {"hashType": 3, "hashList": ["a" * 32], "sourceInfo": "x"},
            "'hashType' must be one of 1, 2, got 3.",
        ),
        (
            INCIDENTS,
            "addToBlocklist",
            {"hashType": 2, "hashList": [], "sourceInfo": "x"},
            "'hashList' must contain at least one hash.",
        ),
        (
            INCIDENTS,
            "addToBlocklist",
            {"hashType": 2, "hashList": ["a" * 32]},
            "Missing required parameter 'sourceInfo'.",
        ),
        (
            INCIDENTS,
            "getCustomRulesList",
            {"type": 3},
            "'type' must be one of 1, 2, got 3.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {"name": "x", "settings": {**NEW_EXCLUSION["settings"], "target": "Process"}},
            "'settings.target' must be one of process, file, connection, registry, got 'Process'.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {"name": "x", "settings": {**NEW_EXCLUSION["settings"], "status": 2}},
            "'settings.status' must be one of 0, 1, got 2.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {"name": "x", "settings": {**NEW_EXCLUSION["settings"], "severity": 4}},
            "'settings.severity' must be one of 1, 2, 3, got 4.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {
                "name": "x",
                "settings": {
                    **NEW_EXCLUSION["settings"],
                    "criteriaList": [{"field": "Process.Name", "relation": "equals", "value": "a"}],
                },
            },
            "'settings.criteriaList[0].relation' must be one of is, contains, any, got 'equals'.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {
                "name": "x",
                "settings": {
                    **NEW_EXCLUSION["settings"],
                    "criteriaList": [{"field": "Process.Name", "relation": "any", "value": "a"}],
                },
            },
            "'settings.criteriaList[0].value' must be an array with relation 'any'.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {
                "name": "x",
                "settings": {
                    **NEW_EXCLUSION["settings"],
                    "criteriaList": [{"field": "File.MD5", "relation": "contains", "value": "ab*"}],
                },
            },
            "'settings.criteriaList[0].value' may not use wildcards on hash field File.MD5.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {
                "name": "x",
                "settings": {
                    **NEW_EXCLUSION["settings"],
                    "criteriaList": [{"field": "detection", "relation": "contains", "value": "a"}],
                },
            },
            "'settings.criteriaList[0].relation' must be 'is' for the detection field.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {"name": "x", "settings": {**NEW_EXCLUSION["settings"], "criteriaList": []}},
            "'settings.criteriaList' must be a non-empty array of criteria.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {"name": "", "settings": NEW_EXCLUSION["settings"]},
            "'name' must be 1 to 128 characters long, got 0.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {"name": "x" * 129, "settings": NEW_EXCLUSION["settings"]},
            "'name' must be 1 to 128 characters long, got 129.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {"name": " Leading space", "settings": NEW_EXCLUSION["settings"]},
            "'name' must not begin with whitespace.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {"name": "<b>rule</b>", "settings": NEW_EXCLUSION["settings"]},
            "'name' must not contain '<'.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {"name": "Backup agent", "settings": NEW_EXCLUSION["settings"]},
            "'name' 'Backup agent' is already used by rule 6182a7e26f59d3072a1e8fd0.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {"name": "x", "description": "it's", "settings": NEW_EXCLUSION["settings"]},
            "'description' must not contain \"'\".",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {"name": "x", "tags": ["ok", "a"], "settings": NEW_EXCLUSION["settings"]},
            "'tags[1]' must be 2 to 128 characters long, got 1.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {"name": "x", "tags": ["ok", "ok"], "settings": NEW_EXCLUSION["settings"]},
            "'tags' must not contain the same tag twice.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {
                "name": "x",
                "settings": NEW_EXCLUSION["settings"],
                "targets": {"companiesIds": [UNKNOWN_ID]},
            },
            "'targets.companiesIds[0]' aaaaaaaaaaaaaaaaaaaaaaaa does not match any company.",
        ),
        (
            INCIDENTS,
            "createCustomRule",
            {"name": "x"},
            "Missing required parameter 'settings'.",
        ),
        (
            COMPUTERS,
            "getQuarantineItemsList",
            {"filters": {"actionStatus": 5}},
            "'filters.actionStatus' must be one of 0, 1, 2, 3, 4, 16, 17, got 5.",
        ),
        (
            COMPUTERS,
            "getQuarantineItemsList",
            {"filters": {"startDate": "28/07/2019"}},
            "'filters.startDate' must be an ISO 8601 date and time such as 2019-07-28T11:31:28, "
            "got '28/07/2019'.",
        ),
        (
            COMPUTERS,
            "getQuarantineItemsList",
            {"filters": {"status": 1}},
            "Unknown parameter 'filters.status'. Accepted: actionStatus, endDate, filePath, ip, "
            "startDate, threatName.",
        ),
        (
            COMPUTERS,
            "getQuarantineItemsList",
            {"endpointId": UNKNOWN_ID},
            "'endpointId' aaaaaaaaaaaaaaaaaaaaaaaa does not match any endpoint.",
        ),
        (
            COMPUTERS,
            "createRemoveQuarantineItemTask",
            {"quarantineItemsIds": []},
            "'quarantineItemsIds' must contain at least one ID.",
        ),
        (
            COMPUTERS,
            "createRemoveQuarantineItemTask",
            {"quarantineItemsIds": SEEDED_ITEM_A},
            "'quarantineItemsIds' must be an array of IDs, got string.",
        ),
        (
            COMPUTERS,
            "createRemoveQuarantineItemTask",
            {"quarantineItemsIds": [SEEDED_ITEM_A, "xyz"]},
            "'quarantineItemsIds[1]' must be exactly 24 hexadecimal characters, got 'xyz'.",
        ),
        (
            COMPUTERS,
            "createEmptyQuarantineTask",
            {"type": "computers"},
            "Unknown parameter 'type'. Accepted: none.",
        ),
    ],
)
def test_invalid_params(client, route, method, params, details):
    error = client.rpc(route, method, params)["error"]

    assert error["code"] == -32602
    assert error["message"] == "Invalid params"
    assert error["data"]["details"] == details


def test_more_than_100_ids_is_invalid(client):
    ids = [f"{index:024x}" for index in range(101)]

    error = client.rpc(COMPUTERS, "createRemoveQuarantineItemTask", {"quarantineItemsIds": ids})[
        "error"
    ]

    assert error["data"]["details"] == (
        "'quarantineItemsIds' contains 101 IDs, but at most 100 are allowed per call."
    )


def test_more_than_100_endpoints_is_invalid(client):
    ids = [HR_ENDPOINT] * 101
    params = {"endpointIds": ids, "filePath": "C:\\a.exe"}

    error = client.rpc(QUARANTINE, "createAddFileToQuarantineTask", params)["error"]

    assert error["code"] == -32602


# Helpers for building lists


def test_reset_state_restores_seed(client, emulator):
    client.rpc(INCIDENTS, "createIsolateEndpointTask", {"endpointId": FINANCE_ENDPOINT})
    emulator.clear_blocklist()

    emulator.reset_state()

    assert emulator.state.endpoints[FINANCE_ENDPOINT].isolated is False
    assert len(emulator.state.blocklist) == 4


def test_clear_quarantine_of_one_service(emulator):
    emulator.clear_quarantine("exchange")

    assert len(emulator.state.quarantine_items["exchange"]) == 0
    assert len(emulator.state.quarantine_items["computers"]) == 9


def test_clear_custom_rules_of_one_type(emulator):
    emulator.clear_custom_rules(1)

    assert sorted(rule.type for rule in emulator.state.custom_rules.values()) == [2, 2, 2]


def test_add_quarantine_items_on_exchange(client, emulator):
    ids = emulator.add_quarantine_items(2, service="exchange")

    listed = [item["id"] for item in list_items(client, EXCHANGE, "getQuarantineItemsList")]
    assert ids == [FIRST_NEW_ID, SECOND_NEW_ID]
    assert listed[-2:] == ids


def test_add_custom_rules_of_detection_type(client, emulator):
    emulator.add_custom_rules(3, rule_type=1)

    rules = list_items(client, INCIDENTS, "getCustomRulesList", {"type": 1})
    assert len(rules) == 5


def test_helper_rejects_unknown_service(emulator):
    with pytest.raises(ValueError, match="service must be one of computers, exchange"):
        emulator.add_quarantine_items(1, service="mail")
