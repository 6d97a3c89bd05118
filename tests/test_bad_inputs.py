"""A table of invalid inputs for every action: each exits 2, names its field, and sends nothing.

Each case takes the action's restored spec example, changes one field and runs the action for
real against a recording server on 127.0.0.1. The expected field paths and values come from
the GravityZone API reference: 24-hex object ids, 1-based pages, perPage 1 to 100, at most 100
ids per list, hashType 1 = SHA-256 (64 hex) and 2 = MD5 (32 hex), and the documented enums.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from bitdefender_connector import Connector, InputError
from bitdefender_connector.manifest import load_manifest
from bitdefender_connector.path_template import PathTemplate
from bitdefender_connector.retry_policy import RetryPolicy

from .conftest import PROXY_ENVIRONMENT_VARIABLES, TEST_API_KEY, RecordingServer
from .test_cli import run_cli, single_json
from .test_spec_examples import restored_example

DELETE = object()
WHOLE_INPUT = ""

ID_A = "63896b87b7894d0f367b23c6"
MD5 = "0cc175b9c0f1b6a831c399e269772661"
SHA256 = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
IDS_101 = [f"{index:024x}" for index in range(101)]
EXCHANGE_PASSWORD = "Bad-Input-Exchange-Pa55!"

PARAMS = "json_body.params"
FILTERS = f"{PARAMS}.filters"
SETTINGS = f"{PARAMS}.settings"
CRITERIA = f"{SETTINGS}.criteriaList"


def case(action_id, path, value, field=None, label=None):
    """Return one table row; ``field`` is the path the error must name (default: ``path``)."""
    expected = path if field is None else field
    value_text = "missing" if value is DELETE else repr(value)
    return pytest.param(
        action_id, path, value, expected, id=label or f"{action_id}:{path}={value_text}"[:90]
    )


def id_field_cases(action_id, path):
    """Rows for a field that takes one 24-hex object id."""
    return [
        case(action_id, path, "5b680f6f", label=f"{action_id}:{path}:short"),
        case(action_id, path, ID_A + "0", label=f"{action_id}:{path}:25-hex"),
        case(action_id, path, ID_A[:-1] + "z", label=f"{action_id}:{path}:non-hex"),
        case(action_id, path, ID_A[:-1] + "с", label=f"{action_id}:{path}:cyrillic-letter"),
        case(action_id, path, " " + ID_A, label=f"{action_id}:{path}:leading-space"),
        case(action_id, path, "", label=f"{action_id}:{path}:empty"),
        case(action_id, path, 12345, label=f"{action_id}:{path}:integer"),
        case(action_id, path, None, label=f"{action_id}:{path}:null"),
        case(action_id, path, [ID_A], label=f"{action_id}:{path}:list"),
        case(action_id, path, DELETE, label=f"{action_id}:{path}:missing"),
    ]


def id_list_cases(action_id, path):
    """Rows for a list of at most 100 object ids."""
    return [
        case(action_id, path, [], label=f"{action_id}:{path}:empty-list"),
        case(action_id, path, IDS_101, label=f"{action_id}:{path}:101-ids"),
        case(action_id, path, ["bad"], f"{path}[0]", label=f"{action_id}:{path}:bad-first"),
        case(action_id, path, [ID_A, "x"], f"{path}[1]", label=f"{action_id}:{path}:bad-second"),
        case(action_id, path, [ID_A, ID_A, 7], f"{path}[2]", label=f"{action_id}:{path}:int-item"),
        case(action_id, path, f"{ID_A},nope", f"{path}[1]", label=f"{action_id}:{path}:comma-text"),
        case(action_id, path, "[1,", label=f"{action_id}:{path}:broken-json-text"),
        case(action_id, path, {"0": ID_A}, label=f"{action_id}:{path}:object"),
        case(action_id, path, None, label=f"{action_id}:{path}:null"),
        case(action_id, path, DELETE, label=f"{action_id}:{path}:missing"),
    ]


def envelope_cases(action_id):
    """Rows for the JSON-RPC envelope fields, which every action shares."""
    return [
        case(action_id, "json_body.method", "deleteCompany", label=f"{action_id}:other-method"),
        case(action_id, "json_body.jsonrpc", "1.0", label=f"{action_id}:jsonrpc-1.0"),
        case(action_id, "json_body.id", "", label=f"{action_id}:empty-id"),
        case(action_id, "json_body.unexpected", 1, label=f"{action_id}:extra-body-field"),
    ]


CASES = [
    # isolate_host
    *id_field_cases("isolate_host", f"{PARAMS}.endpointId"),
    *envelope_cases("isolate_host"),
    case("isolate_host", "json_body.jsonrpc", 2.0, label="isolate_host:jsonrpc-number"),
    case("isolate_host", "json_body.id", "x" * 129, label="isolate_host:id-129-chars"),
    case("isolate_host", "json_body.id", 5, label="isolate_host:id-integer"),
    case("isolate_host", f"{PARAMS}.endpointIds", [ID_A], label="isolate_host:extra-param"),
    case("isolate_host", PARAMS, [ID_A], label="isolate_host:params-list"),
    case("isolate_host", PARAMS, "endpointId=x", label="isolate_host:params-text"),
    case("isolate_host", PARAMS, DELETE, label="isolate_host:params-missing"),
    case("isolate_host", "json_body", DELETE, label="isolate_host:body-missing"),
    case("isolate_host", "json_body", "not json", label="isolate_host:body-text"),
    case("isolate_host", "headers", {"X-Trace": "1"}, label="isolate_host:extra-top-level"),
    case("isolate_host", "path_parameters", {"type": "computers"}, label="isolate_host:path"),
    case("isolate_host", WHOLE_INPUT, ["json_body"], "(input)", label="isolate_host:input-list"),
    case("isolate_host", WHOLE_INPUT, "json_body", "(input)", label="isolate_host:input-text"),
    # create_restore_endpoint_from_isolation_task
    *id_field_cases("create_restore_endpoint_from_isolation_task", f"{PARAMS}.endpointId"),
    *envelope_cases("create_restore_endpoint_from_isolation_task"),
    # add_file_to_quarantine and its duplicate quarantine_file
    *id_list_cases("add_file_to_quarantine", f"{PARAMS}.endpointIds"),
    *envelope_cases("add_file_to_quarantine"),
    case("add_file_to_quarantine", f"{PARAMS}.filePath", "", label="add_file:path-empty"),
    case("add_file_to_quarantine", f"{PARAMS}.filePath", 5, label="add_file:path-integer"),
    case("add_file_to_quarantine", f"{PARAMS}.filePath", None, label="add_file:path-null"),
    case("add_file_to_quarantine", f"{PARAMS}.filePath", ["C:\\a"], label="add_file:path-list"),
    case("add_file_to_quarantine", f"{PARAMS}.filePath", DELETE, label="add_file:path-missing"),
    case("add_file_to_quarantine", f"{PARAMS}.companyId", ID_A, label="add_file:extra-companyId"),
    *id_list_cases("quarantine_file", f"{PARAMS}.endpointIds")[:4],
    case("quarantine_file", f"{PARAMS}.filePath", "", label="quarantine_file:path-empty"),
    case("quarantine_file", f"{PARAMS}.filePath", DELETE, label="quarantine_file:path-missing"),
    # create_empty_quarantine
    case("create_empty_quarantine", "path_parameters.type", "servers"),
    case("create_empty_quarantine", "path_parameters.type", "Computers"),
    case("create_empty_quarantine", "path_parameters.type", "../incidents"),
    case("create_empty_quarantine", "path_parameters.type", "computers/../../general"),
    case("create_empty_quarantine", "path_parameters.type", "%2Fgeneral"),
    case("create_empty_quarantine", "path_parameters.type", "%2e%2e"),
    case("create_empty_quarantine", "path_parameters.type", "computers?x=1"),
    case("create_empty_quarantine", "path_parameters.type", "computers#x"),
    case("create_empty_quarantine", "path_parameters.type", ""),
    case("create_empty_quarantine", "path_parameters.type", 5),
    case("create_empty_quarantine", "path_parameters.type", None),
    case("create_empty_quarantine", "path_parameters", "computers"),
    case("create_empty_quarantine", "path_parameters.service", "computers"),
    case("create_empty_quarantine", f"{PARAMS}.force", True),
    case("create_empty_quarantine", PARAMS, "all"),
    *envelope_cases("create_empty_quarantine"),
    # get_quarantine_items
    case("get_quarantine_items", "path_parameters", DELETE),
    case("get_quarantine_items", "path_parameters.type", DELETE),
    case("get_quarantine_items", "path_parameters.type", "exchange/../incidents"),
    case("get_quarantine_items", "path_parameters.type", "EXCHANGE"),
    case("get_quarantine_items", f"{PARAMS}.page", 0),
    case("get_quarantine_items", f"{PARAMS}.page", -1),
    case("get_quarantine_items", f"{PARAMS}.page", "0"),
    case("get_quarantine_items", f"{PARAMS}.page", "abc"),
    case("get_quarantine_items", f"{PARAMS}.page", 1.5),
    case("get_quarantine_items", f"{PARAMS}.page", True),
    case("get_quarantine_items", f"{PARAMS}.perPage", 0),
    case("get_quarantine_items", f"{PARAMS}.perPage", 101),
    case("get_quarantine_items", f"{PARAMS}.perPage", 1000),
    case("get_quarantine_items", f"{PARAMS}.perPage", "101"),
    case("get_quarantine_items", f"{PARAMS}.perPage", None),
    case("get_quarantine_items", f"{PARAMS}.endpointId", "WIN10-DESKTOP"),
    case("get_quarantine_items", f"{PARAMS}.companyId", "acme"),
    case("get_quarantine_items", FILTERS, "threatName=x"),
    case("get_quarantine_items", FILTERS, []),
    case("get_quarantine_items", f"{FILTERS}.threatName", ""),
    case("get_quarantine_items", f"{FILTERS}.threatName", 5),
    case("get_quarantine_items", f"{FILTERS}.startDate", "2019-07-28"),
    case("get_quarantine_items", f"{FILTERS}.startDate", "28/07/2019 11:31"),
    case("get_quarantine_items", f"{FILTERS}.startDate", "2019-13-01T00:00:00"),
    case("get_quarantine_items", f"{FILTERS}.startDate", "2019-02-30T00:00:00"),
    case("get_quarantine_items", f"{FILTERS}.startDate", "2019-07-28T24:00:00"),
    case("get_quarantine_items", f"{FILTERS}.startDate", "2019-07-28 11:31:28"),
    case("get_quarantine_items", f"{FILTERS}.startDate", "2019-07-28T11:31:28+25:00"),
    case("get_quarantine_items", f"{FILTERS}.startDate", 1564313488),
    case("get_quarantine_items", f"{FILTERS}.endDate", "2019-07-01T00:00:00"),
    case("get_quarantine_items", f"{FILTERS}.endDate", "2019-07-28T11:31:27", label="end-1s-early"),
    case("get_quarantine_items", f"{FILTERS}.endDate", "2019-07-28T11:00:00+02:00"),
    case("get_quarantine_items", f"{FILTERS}.endDate", "yesterday"),
    case("get_quarantine_items", f"{FILTERS}.actionStatus", 5),
    case("get_quarantine_items", f"{FILTERS}.actionStatus", "pending"),
    case("get_quarantine_items", f"{FILTERS}.actionStatus", -1),
    case("get_quarantine_items", f"{FILTERS}.ip", ""),
    case("get_quarantine_items", f"{FILTERS}.filePath", ""),
    case("get_quarantine_items", f"{FILTERS}.status", 1),
    case("get_quarantine_items", f"{PARAMS}.type", "computers"),
    # get_block_list_items
    case("get_block_list_items", f"{PARAMS}.page", 0),
    case("get_block_list_items", f"{PARAMS}.page", "first"),
    case("get_block_list_items", f"{PARAMS}.perPage", 101),
    case("get_block_list_items", f"{PARAMS}.perPage", "lots"),
    case("get_block_list_items", f"{PARAMS}.perPage", -30),
    case("get_block_list_items", f"{PARAMS}.companyId", "acme"),
    case("get_block_list_items", f"{PARAMS}.filters", {}),
    case("get_block_list_items", PARAMS, [1, 30]),
    *envelope_cases("get_block_list_items"),
    # get_rules
    case("get_rules", f"{PARAMS}.type", 3),
    case("get_rules", f"{PARAMS}.type", 0),
    case("get_rules", f"{PARAMS}.type", "detection"),
    case("get_rules", f"{PARAMS}.page", 0),
    case("get_rules", f"{PARAMS}.perPage", 101),
    case("get_rules", f"{PARAMS}.companyId", ID_A[:-2]),
    case("get_rules", f"{PARAMS}.name", "x"),
    # delete_rule
    *id_field_cases("delete_rule", f"{PARAMS}.ruleId")[:6],
    case("delete_rule", f"{PARAMS}.type", 3),
    case("delete_rule", f"{PARAMS}.type", "2x"),
    case("delete_rule", f"{PARAMS}.type", None),
    case("delete_rule", f"{PARAMS}.force", True),
    # create_rule
    case("create_rule", f"{PARAMS}.name", DELETE),
    case("create_rule", f"{PARAMS}.name", ""),
    case("create_rule", f"{PARAMS}.name", 5),
    case("create_rule", f"{PARAMS}.type", 3),
    case("create_rule", f"{PARAMS}.type", "exclusion"),
    case("create_rule", f"{PARAMS}.companyId", "acme"),
    case("create_rule", f"{PARAMS}.tags", [1], f"{PARAMS}.tags[0]"),
    case("create_rule", f"{PARAMS}.tags", {"a": 1}),
    case("create_rule", f"{PARAMS}.description", 5),
    case("create_rule", f"{PARAMS}.returnRuleId", "yes"),
    case("create_rule", f"{PARAMS}.returnRuleId", 1),
    case("create_rule", SETTINGS, DELETE),
    case("create_rule", SETTINGS, "active"),
    case("create_rule", f"{SETTINGS}.status", 2),
    case("create_rule", f"{SETTINGS}.status", "on"),
    case("create_rule", f"{SETTINGS}.status", DELETE),
    case("create_rule", f"{SETTINGS}.severity", 4),
    case("create_rule", f"{SETTINGS}.severity", 0),
    case("create_rule", f"{SETTINGS}.severity", "high"),
    case("create_rule", f"{SETTINGS}.target", "network"),
    case("create_rule", f"{SETTINGS}.target", "Process"),
    case("create_rule", f"{SETTINGS}.target", 1),
    case("create_rule", f"{SETTINGS}.target", DELETE),
    case("create_rule", f"{SETTINGS}.actions", []),
    case("create_rule", CRITERIA, DELETE),
    case("create_rule", CRITERIA, "Process.Name", f"{CRITERIA}[0]"),
    case("create_rule", CRITERIA, {"field": "Process.Name"}),
    case("create_rule", f"{CRITERIA}[0].relation", "matches"),
    case("create_rule", f"{CRITERIA}[0].relation", "IS"),
    case("create_rule", f"{CRITERIA}[0].relation", DELETE),
    case("create_rule", f"{CRITERIA}[0].field", ""),
    case("create_rule", f"{CRITERIA}[0].field", DELETE),
    case("create_rule", f"{CRITERIA}[0].value", DELETE),
    case("create_rule", f"{CRITERIA}[0].value", 22),
    case("create_rule", f"{CRITERIA}[0].value", [22], f"{CRITERIA}[0].value[0]"),
    case("create_rule", f"{CRITERIA}[2].value", "22"),
    case("create_rule", f"{CRITERIA}[0].operator", "and"),
    case("create_rule", f"{CRITERIA}[1]", "Process.Name contains x"),
    *envelope_cases("create_rule"),
    # remove_from_block_list
    *id_field_cases("remove_from_block_list", f"{PARAMS}.hashItemId"),
    case("remove_from_block_list", f"{PARAMS}.hashItemId", "hashItemId", label="spec-placeholder"),
    case("remove_from_block_list", f"{PARAMS}.ids", [ID_A]),
    # remove_quarantine_items
    *id_list_cases("remove_quarantine_items", f"{PARAMS}.quarantineItemsIds"),
    case("remove_quarantine_items", "path_parameters.type", "exchanges"),
    case("remove_quarantine_items", "path_parameters.type", "a/b"),
    # restore_quarantine_item
    *id_list_cases("restore_quarantine_item", f"{PARAMS}.quarantineItemsIds")[:5],
    case("restore_quarantine_item", f"{PARAMS}.locationToRestore", ""),
    case("restore_quarantine_item", f"{PARAMS}.locationToRestore", 5),
    case("restore_quarantine_item", f"{PARAMS}.addExclusionInPolicy", "maybe"),
    case("restore_quarantine_item", f"{PARAMS}.addExclusionInPolicy", 2),
    case("restore_quarantine_item", f"{PARAMS}.addExclusionInPolicy", None),
    case("restore_quarantine_item", f"{PARAMS}.endpointId", ID_A),
    # restore_quarantine_exchange_item
    *id_list_cases("restore_quarantine_exchange_item", f"{PARAMS}.quarantineItemsIds")[:4],
    case("restore_quarantine_exchange_item", f"{PARAMS}.username", DELETE),
    case("restore_quarantine_exchange_item", f"{PARAMS}.username", ""),
    case("restore_quarantine_exchange_item", f"{PARAMS}.username", 5),
    case("restore_quarantine_exchange_item", f"{PARAMS}.password", DELETE),
    case("restore_quarantine_exchange_item", f"{PARAMS}.password", ""),
    case("restore_quarantine_exchange_item", f"{PARAMS}.password", 12345),
    case("restore_quarantine_exchange_item", f"{PARAMS}.password", [EXCHANGE_PASSWORD]),
    case("restore_quarantine_exchange_item", f"{PARAMS}.email", "x"),
    case("restore_quarantine_exchange_item", f"{PARAMS}.email", "mailbox.example.com"),
    case("restore_quarantine_exchange_item", f"{PARAMS}.email", 5),
    case("restore_quarantine_exchange_item", f"{PARAMS}.ewsUrl", "ftp://mail/EWS/Exchange.asmx"),
    case("restore_quarantine_exchange_item", f"{PARAMS}.ewsUrl", "https://mail local/EWS"),
    case("restore_quarantine_exchange_item", f"{PARAMS}.ewsUrl", "mail.local"),
    case("restore_quarantine_exchange_item", f"{PARAMS}.domain", "CORP"),
    # update_block_list
    case("update_block_list", f"{PARAMS}.hashType", 3),
    case("update_block_list", f"{PARAMS}.hashType", 0),
    case("update_block_list", f"{PARAMS}.hashType", "sha256"),
    case("update_block_list", f"{PARAMS}.hashType", DELETE),
    case("update_block_list", f"{PARAMS}.hashList", []),
    case("update_block_list", f"{PARAMS}.hashList", DELETE),
    case("update_block_list", f"{PARAMS}.hashList", ["not-a-hash"], f"{PARAMS}.hashList[0]"),
    case("update_block_list", f"{PARAMS}.hashList", [MD5, SHA256], f"{PARAMS}.hashList[1]"),
    case("update_block_list", f"{PARAMS}.hashList", [MD5, MD5, MD5[:-1]], f"{PARAMS}.hashList[2]"),
    case("update_block_list", f"{PARAMS}.hashList", ["g" * 32], f"{PARAMS}.hashList[0]"),
    case(
        "update_block_list",
        f"{PARAMS}.hashList",
        [MD5[:16] + " " + MD5[17:]],
        f"{PARAMS}.hashList[0]",
    ),
    case("update_block_list", f"{PARAMS}.hashList", [MD5, 5], f"{PARAMS}.hashList[1]"),
    case("update_block_list", f"{PARAMS}.hashList", f"{MD5},{SHA256}", f"{PARAMS}.hashList[1]"),
    case("update_block_list", f"{PARAMS}.sourceInfo", ""),
    case("update_block_list", f"{PARAMS}.sourceInfo", DELETE),
    case("update_block_list", f"{PARAMS}.sourceInfo", 5),
    case("update_block_list", f"{PARAMS}.companyId", "acme"),
    case("update_block_list", f"{PARAMS}.note", "x"),
    *envelope_cases("update_block_list"),
]

# SHA-256 type with MD5 hashes: every item is named by its index.
SHA256_CASES = [
    pytest.param([MD5], f"{PARAMS}.hashList[0]", id="sha256-with-md5-first"),
    pytest.param([SHA256, SHA256, MD5], f"{PARAMS}.hashList[2]", id="sha256-with-md5-third"),
    pytest.param([SHA256[:-1]], f"{PARAMS}.hashList[0]", id="sha256-63-hex"),
    pytest.param([SHA256 + "a"], f"{PARAMS}.hashList[0]", id="sha256-65-hex"),
]


def apply_change(inputs: Any, path: str, value: Any) -> Any:
    """Set (or with DELETE remove) the field at a path such as ``json_body.params.a[1].b``."""
    if path == WHOLE_INPUT:
        return value
    tokens: list[str | int] = []
    for part in path.split("."):
        name, *indexes = re.split(r"\[(\d+)\]", part)
        tokens.append(name)
        tokens.extend(int(index) for index in indexes if index)
    node = inputs
    for token in tokens[:-1]:
        node = node[token]
    last = tokens[-1]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return inputs


@pytest.fixture(scope="module")
def server() -> Iterator[RecordingServer]:
    with pytest.MonkeyPatch.context() as patch:
        for name in PROXY_ENVIRONMENT_VARIABLES:
            patch.delenv(name, raising=False)
        recording = RecordingServer()
        recording.start()
        yield recording
        recording.stop()


@pytest.fixture(autouse=True)
def forget_requests(server) -> None:
    """Start each case with no recorded request, so one failing case does not fail the next."""
    server.requests.clear()


@pytest.fixture(scope="module")
def connector(server) -> Iterator[Connector]:
    settings = {"url": server.url, "username": TEST_API_KEY}
    with Connector(settings, rate_limiting=False, retry_policy=RetryPolicy(max_attempts=1)) as gz:
        yield gz


def run_bad_input(connector, action_id, inputs) -> InputError:
    with pytest.raises(InputError) as caught:
        connector.run(action_id, inputs)
    return caught.value


def test_table_size():
    assert len(CASES) + len(SHA256_CASES) >= 150


@pytest.mark.parametrize(("action_id", "path", "value", "field"), CASES)
def test_bad_input(action_id, path, value, field, connector, server):
    inputs = apply_change(restored_example(action_id), path, value)

    error = run_bad_input(connector, action_id, inputs)

    assert error.exit_code == 2
    assert field in [item.path for item in error.errors]
    assert f"{field}: " in str(error)
    assert server.requests == []


@pytest.mark.parametrize(("hashes", "field"), SHA256_CASES)
def test_bad_sha256_list(hashes, field, connector, server):
    inputs = restored_example("update_block_list")
    inputs["json_body"]["params"]["hashType"] = 1
    inputs["json_body"]["params"]["hashList"] = hashes

    error = run_bad_input(connector, "update_block_list", inputs)

    assert [item.path for item in error.errors] == [field]
    assert "64 hexadecimal characters" in error.errors[0].message
    assert server.requests == []


def test_every_bad_hash_named(connector, server):
    inputs = restored_example("update_block_list")
    inputs["json_body"]["params"]["hashList"] = ["x", MD5, SHA256, MD5, ""]

    error = run_bad_input(connector, "update_block_list", inputs)

    assert [item.path for item in error.errors] == [
        f"{PARAMS}.hashList[0]",
        f"{PARAMS}.hashList[2]",
        f"{PARAMS}.hashList[4]",
    ]
    assert server.requests == []


def test_every_action_in_table():
    covered = {row.values[0] for row in CASES}

    assert len(covered) == 15


def test_password_never_in_messages(connector, server):
    for path, value in [
        (f"{PARAMS}.email", "x"),
        (f"{PARAMS}.quarantineItemsIds", ["bad"]),
        (f"{PARAMS}.unexpected", EXCHANGE_PASSWORD),
        (PARAMS, {"password": EXCHANGE_PASSWORD}),
    ]:
        inputs = restored_example("restore_quarantine_exchange_item")
        inputs["json_body"]["params"]["password"] = EXCHANGE_PASSWORD
        inputs = apply_change(inputs, path, value)

        error = run_bad_input(connector, "restore_quarantine_exchange_item", inputs)

        assert EXCHANGE_PASSWORD not in str(error)
        assert EXCHANGE_PASSWORD not in json.dumps(error.to_dict())
    assert server.requests == []


# The command line: the same rejections exit 2 with the field in the error document.

CLI_CASES = [
    pytest.param("isolate_host", f"{PARAMS}.endpointId", "host-01", id="isolate-bad-id"),
    pytest.param("get_quarantine_items", f"{PARAMS}.perPage", "101", id="quarantine-per-page"),
    pytest.param("update_block_list", f"{PARAMS}.hashList", [SHA256], id="md5-type-sha256-hash"),
    pytest.param("create_empty_quarantine", "path_parameters.type", "../general", id="path-type"),
    pytest.param("create_rule", f"{SETTINGS}.target", "network", id="rule-target"),
]


@pytest.mark.parametrize(("action_id", "path", "value"), CLI_CASES)
def test_cli_bad_input_exit_2(action_id, path, value, server):
    inputs = apply_change(restored_example(action_id), path, value)
    field = f"{path}[0]" if isinstance(value, list) else path
    environment = {"BITDEFENDER_URL": server.url, "BITDEFENDER_API_KEY": TEST_API_KEY}

    completed = run_cli("run", action_id, "--input", json.dumps(inputs), environment=environment)

    error = single_json(completed.stdout)["error"]
    assert completed.returncode == 2
    assert error["type"] == "invalid_input"
    assert field in [item["path"] for item in error["fields"]]
    assert field in completed.stderr
    assert server.requests == []


# The URL builder's own check, for a manifest endpoint that would leave the JSON-RPC root.


@pytest.mark.parametrize(
    "endpoint",
    [
        "api/v1.0/jsonrpc/../../admin",
        "api/v1.0/jsonrpc/./../general",
        "api/v1.0/jsonrpc/quarantine/..",
        "api/v1.0/other/incidents",
    ],
)
def test_url_outside_root_rejected(endpoint, server):
    manifest = load_manifest()
    action = dataclasses.replace(manifest.action("get_rules"), endpoint=PathTemplate(endpoint))
    changed = dataclasses.replace(manifest, actions={**manifest.actions, "get_rules": action})
    settings = {"url": server.url, "username": TEST_API_KEY}

    with Connector(settings, manifest=changed, rate_limiting=False) as connector:
        error = run_bad_input(connector, "get_rules", restored_example("get_rules"))

    assert error.exit_code == 2
    assert "path_parameters: the URL would leave http://127.0.0.1:" in str(error)
    assert server.requests == []
