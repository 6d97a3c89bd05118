"""Every request example of Swimlane's Bitdefender API connector spec succeeds on the emulator.

The request bodies are written out from the spec's input examples. The spec text is lower-cased
with punctuation removed, so method names, parameter names, IDs and paths are restored to the
casing and punctuation that the GravityZone API uses.
"""

from __future__ import annotations

import pytest

from .test_emulator_support import COMPUTERS, EXCHANGE, INCIDENTS, QUARANTINE

QUARANTINE_REQUEST_ID = "5399c9b5-0b46-45e4-81aa-889952433d86"
INCIDENTS_REQUEST_ID = "0df7568c-59c1-48e0-a31b-18d83e6d9810"
BOTH_ITEMS = ["63896b87b7894d0f367b23c6", "65896b87b7894d0f367b23c6"]


def example(method, params, request_id):
    return {"params": params, "jsonrpc": "2.0", "method": method, "id": request_id}


# (action, route, request body, expected result), one row per spec action whose example runs
# as written.
EXAMPLES_WITH_TRUE_RESULT = [
    (
        "add file to quarantine",
        QUARANTINE,
        example(
            "createAddFileToQuarantineTask",
            {"endpointIds": BOTH_ITEMS, "filePath": "Z:\\path\\to\\file"},
            QUARANTINE_REQUEST_ID,
        ),
    ),
    (
        "create empty quarantine",
        COMPUTERS,
        example("createEmptyQuarantineTask", {}, QUARANTINE_REQUEST_ID),
    ),
    (
        "create restore endpoint from isolation task",
        INCIDENTS,
        example(
            "createRestoreEndpointFromIsolationTask",
            {"endpointId": "5b680f6fb1a43d860a7b23c1"},
            INCIDENTS_REQUEST_ID,
        ),
    ),
    (
        "delete rule",
        INCIDENTS,
        example(
            "deleteCustomRule",
            {"ruleId": "6182a7e26f59d3072a1e8fc5", "type": 1},
            INCIDENTS_REQUEST_ID,
        ),
    ),
    (
        "isolate host",
        INCIDENTS,
        example(
            "createIsolateEndpointTask",
            {"endpointId": "5b680f6fb1a43d860a7b23c1"},
            INCIDENTS_REQUEST_ID,
        ),
    ),
    (
        "quarantine file",
        QUARANTINE,
        example(
            "createAddFileToQuarantineTask",
            {"endpointIds": BOTH_ITEMS, "filePath": "Z:\\path\\to\\file"},
            QUARANTINE_REQUEST_ID,
        ),
    ),
    (
        "remove quarantine items",
        COMPUTERS,
        example(
            "createRemoveQuarantineItemTask",
            {"quarantineItemsIds": BOTH_ITEMS},
            QUARANTINE_REQUEST_ID,
        ),
    ),
    (
        "restore quarantine exchange item",
        EXCHANGE,
        example(
            "createRestoreQuarantineExchangeItemTask",
            {
                "quarantineItemsIds": BOTH_ITEMS,
                "username": "user@domain",
                "password": "userPassword",
            },
            QUARANTINE_REQUEST_ID,
        ),
    ),
    (
        "restore quarantine item",
        COMPUTERS,
        example(
            "createRestoreQuarantineItemTask",
            {
                "quarantineItemsIds": BOTH_ITEMS,
                "locationToRestore": "C:\\restoreDirectory",
                "addExclusionInPolicy": True,
            },
            QUARANTINE_REQUEST_ID,
        ),
    ),
]


@pytest.mark.parametrize(
    ("route", "body"),
    [row[1:] for row in EXAMPLES_WITH_TRUE_RESULT],
    ids=[row[0] for row in EXAMPLES_WITH_TRUE_RESULT],
)
def test_example_returns_true(client, route, body):
    response = client.post(route, body)

    assert response.status_code == 200
    assert response.json() == {"id": body["id"], "jsonrpc": "2.0", "result": True}


def test_add_file_example_on_computers(client):
    body = example(
        "createAddFileToQuarantineTask",
        {"endpointIds": BOTH_ITEMS, "filePath": "Z:\\path\\to\\file"},
        QUARANTINE_REQUEST_ID,
    )

    response = client.post(COMPUTERS, body)

    assert response.json()["result"] is True


def test_empty_quarantine_example_on_exchange(client):
    body = example("createEmptyQuarantineTask", {}, QUARANTINE_REQUEST_ID)

    response = client.post(EXCHANGE, body)

    assert response.json()["result"] is True


def test_create_rule_example_returns_id(client):
    params = {
        "companyId": "61827b8036492c2fc0718722",
        "type": 1,
        "name": "Detection rule via API",
        "description": "Description test API",
        "tags": ["test", "api", "demo"],
        "settings": {
            "status": 0,
            "severity": 1,
            "target": "connection",
            "criteriaList": [
                {"field": "Connection.DestinationPort", "relation": "is", "value": ["25691"]},
                {"field": "Connection.Process.Name", "relation": "contains", "value": "*/network1"},
                {"field": "Connection.SourcePort", "relation": "any", "value": ["22", "23", "24"]},
            ],
        },
        "returnRuleId": True,
    }

    response = client.post(INCIDENTS, example("createCustomRule", params, INCIDENTS_REQUEST_ID))

    # The first ID that a fresh emulator generates.
    assert response.json() == {
        "id": INCIDENTS_REQUEST_ID,
        "jsonrpc": "2.0",
        "result": "6650a1c00000000000000001",
    }


def test_get_blocklist_example(client):
    body = example("getBlocklistItems", {"page": 1, "perPage": 30}, INCIDENTS_REQUEST_ID)

    result = client.post(INCIDENTS, body).json()["result"]

    assert result["total"] == 4
    assert result["page"] == 1
    assert result["perPage"] == 30
    assert result["pagesCount"] == 1
    assert result["items"][0] == {
        "companyId": "61827b8036492c2fc0718722",
        "hash": "0cc175b9c0f1b6a831c399e269772661",
        "hashType": 2,
        "id": "5b7ac19bb1a43dfb107b23c6",
        "source": 3,
        "sourceInfo": "Added from public API",
    }
    assert result["items"][1] == {
        "filename": "payload.exe",
        "hash": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "hashType": 1,
        "id": "5b7ac19bb1a43dfb107b23c7",
        "source": 1,
        "sourceInfo": "Added from incident 1",
    }


def test_get_quarantine_example(client):
    params = {
        "endpointId": "5d36c255f23f730fa91944e2",
        "page": 2,
        "perPage": 1,
        "filters": {
            "threatName": "Virus.0",
            "actionStatus": 1,
            "startDate": "2019-07-28T11:31:28",
            "endDate": "2019-08-16T11:31:16",
            "filePath": "C:\\virus0\\virus0.exe",
        },
    }

    response = client.post(
        COMPUTERS, example("getQuarantineItemsList", params, QUARANTINE_REQUEST_ID)
    )

    assert response.json() == {
        "id": QUARANTINE_REQUEST_ID,
        "jsonrpc": "2.0",
        "result": {
            "total": 2,
            "page": 2,
            "perPage": 1,
            "pagesCount": 2,
            "items": [
                {
                    "id": "5d4a1c0e3b2f1a0009a1b002",
                    "quarantinedOn": "2019-08-09T10:00:00",
                    "actionStatus": 1,
                    "companyId": "61827b8036492c2fc0718722",
                    "endpointId": "5d36c255f23f730fa91944e2",
                    "endpointName": "WKS-DEV-07",
                    "endpointIP": "10.0.3.7",
                    "canBeRestored": True,
                    "canBeRemoved": True,
                    "threatName": "Virus.0",
                    "details": {"filePath": "C:\\virus0\\virus0.exe"},
                }
            ],
        },
    }


def test_get_rules_example(client):
    params = {"companyId": "61827b8036492c2fc0718722", "type": 1, "page": 1, "perPage": 100}

    result = client.post(
        INCIDENTS, example("getCustomRulesList", params, INCIDENTS_REQUEST_ID)
    ).json()["result"]

    assert result["total"] == 2
    assert result["pagesCount"] == 1
    assert result["perPage"] == 100
    assert [rule["id"] for rule in result["items"]] == [
        "6182a7e26f59d3072a1e8fc5",
        "6182a7e26f59d3072a1e8fc6",
    ]


def test_remove_example_placeholder_rejected(client):
    # The spec's example sends the literal placeholder "hashItemId" instead of an ID.
    body = example("removeFromBlocklist", {"hashItemId": "hashItemId"}, INCIDENTS_REQUEST_ID)

    error = client.post(INCIDENTS, body).json()["error"]

    assert error["code"] == -32602
    assert error["data"]["details"] == (
        "'hashItemId' must be exactly 24 hexadecimal characters, got 'hashItemId'."
    )


def test_remove_example_with_seeded_id(client):
    body = example(
        "removeFromBlocklist", {"hashItemId": "5b7ac19bb1a43dfb107b23c6"}, INCIDENTS_REQUEST_ID
    )

    response = client.post(INCIDENTS, body)

    assert response.json() == {"id": INCIDENTS_REQUEST_ID, "jsonrpc": "2.0", "result": True}


def test_update_example_as_written_rejected(client):
    # The spec's first hash has 24 hexadecimal characters, which is no MD5 (hashType 2).
    params = {
        "hashType": 2,
        "hashList": ["5b7ac19bb1a43dfb107b23c6", "f696282aa4cd4f614aa995190cf442fe"],
        "sourceInfo": "Added from public API",
    }

    error = client.post(INCIDENTS, example("addToBlocklist", params, INCIDENTS_REQUEST_ID)).json()[
        "error"
    ]

    assert error["code"] == -32602
    assert error["data"]["details"] == (
        "'hashList[0]' must be an MD5 hash of 32 hexadecimal characters (hashType 2), "
        "got '5b7ac19bb1a43dfb107b23c6'."
    )


def test_update_example_with_md5_hashes(client):
    params = {
        "hashType": 2,
        "hashList": ["5b7ac19bb1a43dfb107b23c65b7ac19b", "f696282aa4cd4f614aa995190cf442fe"],
        "sourceInfo": "Added from public API",
    }

    response = client.post(INCIDENTS, example("addToBlocklist", params, INCIDENTS_REQUEST_ID))

    assert response.json() == {"id": INCIDENTS_REQUEST_ID, "jsonrpc": "2.0", "result": True}
