"""Swimlane's Bitdefender API connector spec examples, in real casing, render the right requests.

The spec prints every example lower-cased with punctuation stripped. Each input below was
restored by hand from that text, using the camelCase names of the GravityZone API reference.
Two spec examples carry invalid placeholders, because an MD5 hash is 32 hexadecimal characters
and a blocklist item ID is 24. The inputs here replace them with valid values. In
update_block_list the MD5 0cc175b9c0f1b6a831c399e269772661 replaces the 24-character
5b7ac19bb1a43dfb107b23c6, and in remove_from_block_list the item ID 5b7ac19bb1a43dfb107b23c6
replaces the literal text hashItemId. Other test modules import these tables.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlsplit

import pytest

from bitdefender_connector import Connector, InputError
from bitdefender_connector.manifest import load_manifest

# A loopback access URL: dry runs send nothing, but no test names another host.
DRY_RUN_CONNECTION = {"url": "https://127.0.0.1:8443/api"}

RESTORED_EXAMPLES: dict[str, dict[str, Any]] = {
    "add_file_to_quarantine": {
        "json_body": {
            "params": {
                "endpointIds": ["63896b87b7894d0f367b23c6", "65896b87b7894d0f367b23c6"],
                "filePath": "Z:\\path\\to\\file",
            },
            "jsonrpc": "2.0",
            "method": "createAddFileToQuarantineTask",
            "id": "5399c9b5-0b46-45e4-81aa-889952433d86",
        }
    },
    "create_empty_quarantine": {
        "json_body": {
            "params": {},
            "jsonrpc": "2.0",
            "method": "createEmptyQuarantineTask",
            "id": "5399c9b5-0b46-45e4-81aa-889952433d86",
        },
        "path_parameters": {"type": "computers"},
    },
    "create_restore_endpoint_from_isolation_task": {
        "json_body": {
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
            "jsonrpc": "2.0",
            "method": "createRestoreEndpointFromIsolationTask",
            "params": {"endpointId": "5b680f6fb1a43d860a7b23c1"},
        }
    },
    "create_rule": {
        "json_body": {
            "params": {
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
                        {
                            "field": "Connection.DestinationPort",
                            "relation": "is",
                            "value": ["25691"],
                        },
                        {
                            "field": "Connection.Process.Name",
                            "relation": "contains",
                            "value": "*/network1",
                        },
                        {
                            "field": "Connection.SourcePort",
                            "relation": "any",
                            "value": ["22", "23", "24"],
                        },
                    ],
                },
                "returnRuleId": True,
            },
            "jsonrpc": "2.0",
            "method": "createCustomRule",
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
        }
    },
    "delete_rule": {
        "json_body": {
            "params": {"ruleId": "6182a7e26f59d3072a1e8fc5", "type": 1},
            "jsonrpc": "2.0",
            "method": "deleteCustomRule",
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
        }
    },
    "get_block_list_items": {
        "json_body": {
            "params": {"page": 1, "perPage": 30},
            "jsonrpc": "2.0",
            "method": "getBlocklistItems",
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
        }
    },
    "get_quarantine_items": {
        "json_body": {
            "params": {
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
            },
            "jsonrpc": "2.0",
            "method": "getQuarantineItemsList",
            "id": "5399c9b5-0b46-45e4-81aa-889952433d86",
        },
        "path_parameters": {"type": "computers"},
    },
    "get_rules": {
        "json_body": {
            "params": {
                "companyId": "61827b8036492c2fc0718722",
                "type": 1,
                "page": 1,
                "perPage": 100,
            },
            "jsonrpc": "2.0",
            "method": "getCustomRulesList",
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
        }
    },
    "isolate_host": {
        "json_body": {
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
            "jsonrpc": "2.0",
            "method": "createIsolateEndpointTask",
            "params": {"endpointId": "5b680f6fb1a43d860a7b23c1"},
        }
    },
    "quarantine_file": {
        "json_body": {
            "params": {
                "endpointIds": ["63896b87b7894d0f367b23c6", "65896b87b7894d0f367b23c6"],
                "filePath": "Z:\\path\\to\\file",
            },
            "jsonrpc": "2.0",
            "method": "createAddFileToQuarantineTask",
            "id": "5399c9b5-0b46-45e4-81aa-889952433d86",
        }
    },
    "remove_from_block_list": {
        "json_body": {
            "params": {"hashItemId": "5b7ac19bb1a43dfb107b23c6"},
            "jsonrpc": "2.0",
            "method": "removeFromBlocklist",
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
        }
    },
    "remove_quarantine_items": {
        "json_body": {
            "params": {
                "quarantineItemsIds": ["63896b87b7894d0f367b23c6", "65896b87b7894d0f367b23c6"]
            },
            "jsonrpc": "2.0",
            "method": "createRemoveQuarantineItemTask",
            "id": "5399c9b5-0b46-45e4-81aa-889952433d86",
        },
        "path_parameters": {"type": "computers"},
    },
    "restore_quarantine_exchange_item": {
        "json_body": {
            "params": {
                "quarantineItemsIds": ["63896b87b7894d0f367b23c6", "65896b87b7894d0f367b23c6"],
                "username": "user@domain",
                "password": "userpassword",
            },
            "jsonrpc": "2.0",
            "method": "createRestoreQuarantineExchangeItemTask",
            "id": "5399c9b5-0b46-45e4-81aa-889952433d86",
        }
    },
    "restore_quarantine_item": {
        "json_body": {
            "params": {
                "quarantineItemsIds": ["63896b87b7894d0f367b23c6", "65896b87b7894d0f367b23c6"],
                "locationToRestore": "C:\\restoreDirectory",
                "addExclusionInPolicy": True,
            },
            "jsonrpc": "2.0",
            "method": "createRestoreQuarantineItemTask",
            "id": "5399c9b5-0b46-45e4-81aa-889952433d86",
        }
    },
    "update_block_list": {
        "json_body": {
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
            "jsonrpc": "2.0",
            "method": "addToBlocklist",
            "params": {
                "hashType": 2,
                "hashList": [
                    "0cc175b9c0f1b6a831c399e269772661",
                    "f696282aa4cd4f614aa995190cf442fe",
                ],
                "sourceInfo": "Added from public API",
            },
        }
    },
}

# The URL path and JSON-RPC body each example must produce, written from the spec's endpoint
# URLs and the API reference's method names, not from the connector's manifest.
EXPECTED_REQUESTS: dict[str, tuple[str, dict[str, Any]]] = {
    "add_file_to_quarantine": (
        "/api/v1.0/jsonrpc/quarantine",
        {
            "id": "5399c9b5-0b46-45e4-81aa-889952433d86",
            "jsonrpc": "2.0",
            "method": "createAddFileToQuarantineTask",
            "params": {
                "endpointIds": ["63896b87b7894d0f367b23c6", "65896b87b7894d0f367b23c6"],
                "filePath": "Z:\\path\\to\\file",
            },
        },
    ),
    "create_empty_quarantine": (
        "/api/v1.0/jsonrpc/quarantine/computers",
        {
            "id": "5399c9b5-0b46-45e4-81aa-889952433d86",
            "jsonrpc": "2.0",
            "method": "createEmptyQuarantineTask",
            "params": {},
        },
    ),
    "create_restore_endpoint_from_isolation_task": (
        "/api/v1.0/jsonrpc/incidents",
        {
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
            "jsonrpc": "2.0",
            "method": "createRestoreEndpointFromIsolationTask",
            "params": {"endpointId": "5b680f6fb1a43d860a7b23c1"},
        },
    ),
    "create_rule": (
        "/api/v1.0/jsonrpc/incidents",
        {
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
            "jsonrpc": "2.0",
            "method": "createCustomRule",
            "params": {
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
                        {
                            "field": "Connection.DestinationPort",
                            "relation": "is",
                            "value": ["25691"],
                        },
                        {
                            "field": "Connection.Process.Name",
                            "relation": "contains",
                            "value": "*/network1",
                        },
                        {
                            "field": "Connection.SourcePort",
                            "relation": "any",
                            "value": ["22", "23", "24"],
                        },
                    ],
                },
                "returnRuleId": True,
            },
        },
    ),
    "delete_rule": (
        "/api/v1.0/jsonrpc/incidents",
        {
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
            "jsonrpc": "2.0",
            "method": "deleteCustomRule",
            "params": {"ruleId": "6182a7e26f59d3072a1e8fc5", "type": 1},
        },
    ),
    "get_block_list_items": (
        "/api/v1.0/jsonrpc/incidents",
        {
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
            "jsonrpc": "2.0",
            "method": "getBlocklistItems",
            "params": {"page": 1, "perPage": 30},
        },
    ),
    "get_quarantine_items": (
        "/api/v1.0/jsonrpc/quarantine/computers",
        {
            "id": "5399c9b5-0b46-45e4-81aa-889952433d86",
            "jsonrpc": "2.0",
            "method": "getQuarantineItemsList",
            "params": {
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
            },
        },
    ),
    "get_rules": (
        "/api/v1.0/jsonrpc/incidents",
        {
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
            "jsonrpc": "2.0",
            "method": "getCustomRulesList",
            "params": {
                "companyId": "61827b8036492c2fc0718722",
                "type": 1,
                "page": 1,
                "perPage": 100,
            },
        },
    ),
    "isolate_host": (
        "/api/v1.0/jsonrpc/incidents",
        {
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
            "jsonrpc": "2.0",
            "method": "createIsolateEndpointTask",
            "params": {"endpointId": "5b680f6fb1a43d860a7b23c1"},
        },
    ),
    "quarantine_file": (
        "/api/v1.0/jsonrpc/quarantine",
        {
            "id": "5399c9b5-0b46-45e4-81aa-889952433d86",
            "jsonrpc": "2.0",
            "method": "createAddFileToQuarantineTask",
            "params": {
                "endpointIds": ["63896b87b7894d0f367b23c6", "65896b87b7894d0f367b23c6"],
                "filePath": "Z:\\path\\to\\file",
            },
        },
    ),
    "remove_from_block_list": (
        "/api/v1.0/jsonrpc/incidents",
        {
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
            "jsonrpc": "2.0",
            "method": "removeFromBlocklist",
            "params": {"hashItemId": "5b7ac19bb1a43dfb107b23c6"},
        },
    ),
    "remove_quarantine_items": (
        "/api/v1.0/jsonrpc/quarantine/computers",
        {
            "id": "5399c9b5-0b46-45e4-81aa-889952433d86",
            "jsonrpc": "2.0",
            "method": "createRemoveQuarantineItemTask",
            "params": {
                "quarantineItemsIds": ["63896b87b7894d0f367b23c6", "65896b87b7894d0f367b23c6"]
            },
        },
    ),
    "restore_quarantine_exchange_item": (
        "/api/v1.0/jsonrpc/quarantine/exchange",
        {
            "id": "5399c9b5-0b46-45e4-81aa-889952433d86",
            "jsonrpc": "2.0",
            "method": "createRestoreQuarantineExchangeItemTask",
            "params": {
                "quarantineItemsIds": ["63896b87b7894d0f367b23c6", "65896b87b7894d0f367b23c6"],
                "username": "user@domain",
                "password": "userpassword",
            },
        },
    ),
    "restore_quarantine_item": (
        "/api/v1.0/jsonrpc/quarantine/computers",
        {
            "id": "5399c9b5-0b46-45e4-81aa-889952433d86",
            "jsonrpc": "2.0",
            "method": "createRestoreQuarantineItemTask",
            "params": {
                "quarantineItemsIds": ["63896b87b7894d0f367b23c6", "65896b87b7894d0f367b23c6"],
                "locationToRestore": "C:\\restoreDirectory",
                "addExclusionInPolicy": True,
            },
        },
    ),
    "update_block_list": (
        "/api/v1.0/jsonrpc/incidents",
        {
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
            "jsonrpc": "2.0",
            "method": "addToBlocklist",
            "params": {
                "hashType": 2,
                "hashList": [
                    "0cc175b9c0f1b6a831c399e269772661",
                    "f696282aa4cd4f614aa995190cf442fe",
                ],
                "sourceInfo": "Added from public API",
            },
        },
    ),
}

# A dry run masks the Exchange password, so its dry-run body differs from the body on the wire.
DRY_RUN_BODY_OVERRIDES: dict[str, dict[str, Any]] = {
    "restore_quarantine_exchange_item": {
        "id": "5399c9b5-0b46-45e4-81aa-889952433d86",
        "jsonrpc": "2.0",
        "method": "createRestoreQuarantineExchangeItemTask",
        "params": {
            "quarantineItemsIds": ["63896b87b7894d0f367b23c6", "65896b87b7894d0f367b23c6"],
            "username": "user@domain",
            "password": "********",
        },
    },
}

ACTION_IDS = sorted(RESTORED_EXAMPLES)


def restored_example(action_id: str) -> dict[str, Any]:
    """Return a deep copy of the action's restored example, safe to change in a test."""
    return copy.deepcopy(RESTORED_EXAMPLES[action_id])


def test_tables_cover_fifteen_actions():
    assert len(ACTION_IDS) == 15
    assert sorted(EXPECTED_REQUESTS) == ACTION_IDS


def test_manifest_lists_same_actions():
    assert sorted(load_manifest().actions) == ACTION_IDS


@pytest.mark.parametrize("action_id", ACTION_IDS)
def test_dry_run_url_path(action_id):
    result = Connector(DRY_RUN_CONNECTION).run(action_id, restored_example(action_id), dry_run=True)
    expected_path, _ = EXPECTED_REQUESTS[action_id]

    assert urlsplit(result["request"]["url"]).path == expected_path
    assert result["request"]["url"] == "https://127.0.0.1:8443" + expected_path


@pytest.mark.parametrize("action_id", ACTION_IDS)
def test_dry_run_json_body(action_id):
    result = Connector(DRY_RUN_CONNECTION).run(action_id, restored_example(action_id), dry_run=True)
    _, expected_body = EXPECTED_REQUESTS[action_id]
    expected_body = DRY_RUN_BODY_OVERRIDES.get(action_id, expected_body)

    assert result["request"]["json_body"] == expected_body


@pytest.mark.parametrize("action_id", ACTION_IDS)
def test_dry_run_method_post(action_id):
    result = Connector(DRY_RUN_CONNECTION).run(action_id, restored_example(action_id), dry_run=True)

    assert result["request"]["method"] == "POST"


@pytest.mark.parametrize("action_id", ACTION_IDS)
def test_manifest_example_matches_restored(action_id):
    action = load_manifest().action(action_id)

    assert action.example_input == RESTORED_EXAMPLES[action_id]


def test_update_block_list_spec_placeholder_rejected():
    spec_input = {
        "json_body": {
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
            "jsonrpc": "2.0",
            "method": "addToBlocklist",
            "params": {
                "hashType": 2,
                "hashList": ["5b7ac19bb1a43dfb107b23c6", "f696282aa4cd4f614aa995190cf442fe"],
                "sourceInfo": "Added from public API",
            },
        }
    }

    with pytest.raises(InputError) as caught:
        Connector(DRY_RUN_CONNECTION).run("update_block_list", spec_input, dry_run=True)

    paths = [error.path for error in caught.value.errors]
    assert paths == ["json_body.params.hashList[0]"]
    assert "json_body.params.hashList[0]" in str(caught.value)


def test_remove_from_block_list_spec_placeholder_rejected():
    spec_input = {
        "json_body": {
            "params": {"hashItemId": "hashItemId"},
            "jsonrpc": "2.0",
            "method": "removeFromBlocklist",
            "id": "0df7568c-59c1-48e0-a31b-18d83e6d9810",
        }
    }

    with pytest.raises(InputError) as caught:
        Connector(DRY_RUN_CONNECTION).run("remove_from_block_list", spec_input, dry_run=True)

    paths = [error.path for error in caught.value.errors]
    assert paths == ["json_body.params.hashItemId"]
    assert "json_body.params.hashItemId" in str(caught.value)


@pytest.mark.parametrize(
    ("alias", "action_id"),
    [
        ("remove_quarentine_items", "remove_quarantine_items"),
        ("restore_quarantine_exchage_item", "restore_quarantine_exchange_item"),
    ],
)
def test_misspelled_alias_resolves(alias, action_id):
    assert load_manifest().action(alias).name == action_id


@pytest.mark.parametrize(
    ("alias", "action_id"),
    [
        ("remove_quarentine_items", "remove_quarantine_items"),
        ("restore_quarantine_exchage_item", "restore_quarantine_exchange_item"),
    ],
)
def test_misspelled_alias_runs(alias, action_id):
    result = Connector(DRY_RUN_CONNECTION).run(alias, restored_example(action_id), dry_run=True)
    expected_path, _ = EXPECTED_REQUESTS[action_id]

    assert result["action"] == action_id
    assert urlsplit(result["request"]["url"]).path == expected_path
