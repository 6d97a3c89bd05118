"""Invalid action inputs raise InputError naming the action, field path, rule and fix."""

from __future__ import annotations

import json

import pytest

from bitdefender_connector import Connector, InputError, UnknownActionError
from bitdefender_connector.manifest import load_manifest
from bitdefender_connector.path_template import PathParameterError, PathTemplate

from .test_manifest import copy_manifest, edit_action, write_yaml
from .test_spec_examples import restored_example

DRY_RUN_CONNECTION = {"url": "https://127.0.0.1:8443/api"}
ENDPOINT_ID = "63896b87b7894d0f367b23c6"
SHA256_OF_FOO = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
MD5_OF_A = "0cc175b9c0f1b6a831c399e269772661"
EXCHANGE_PASSWORD = "Tr0ub4dor&3-exchange-secret"


def input_error(action_id, inputs) -> InputError:
    """Return the InputError that a dry run of ``inputs`` raises."""
    with pytest.raises(InputError) as caught:
        Connector(DRY_RUN_CONNECTION).run(action_id, inputs, dry_run=True)
    return caught.value


def only_field(error: InputError):
    assert len(error.errors) == 1
    return error.errors[0]


def quarantine_items_input(**params):
    return {"json_body": {"params": params}, "path_parameters": {"type": "computers"}}


def exchange_input(**params):
    base = {
        "quarantineItemsIds": [ENDPOINT_ID],
        "username": "user@domain",
        "password": EXCHANGE_PASSWORD,
    }
    return {"json_body": {"params": {**base, **params}}}


def test_bad_object_id():
    inputs = restored_example("isolate_host")
    inputs["json_body"]["params"]["endpointId"] = "5b680f6fb1a43d860a7b23cZ"

    error = input_error("isolate_host", inputs)

    field = only_field(error)
    assert error.action == "isolate_host"
    assert "isolate_host" in str(error)
    assert field.path == "json_body.params.endpointId"
    assert field.rule == "pattern"
    assert "exactly 24 hexadecimal characters" in field.message
    assert "'5b680f6fb1a43d860a7b23cZ'" in field.message


def test_bad_object_id_in_list():
    inputs = restored_example("add_file_to_quarantine")
    inputs["json_body"]["params"]["endpointIds"] = [ENDPOINT_ID, "12345"]

    field = only_field(input_error("add_file_to_quarantine", inputs))

    assert field.path == "json_body.params.endpointIds[1]"
    assert field.rule == "pattern"


def test_bad_id_at_index_zero():
    inputs = restored_example("quarantine_file")
    inputs["json_body"]["params"]["endpointIds"] = ["host-01", ENDPOINT_ID]

    error = input_error("quarantine_file", inputs)

    assert only_field(error).path == "json_body.params.endpointIds[0]"
    assert "json_body.params.endpointIds[0]" in str(error)


def test_missing_required_field():
    error = input_error("isolate_host", {"json_body": {"params": {}}})

    field = only_field(error)
    assert field.path == "json_body.params.endpointId"
    assert field.rule == "required"
    assert field.message == "is required but missing"


def test_missing_json_body():
    field = only_field(input_error("isolate_host", {}))

    assert field.path == "json_body"
    assert field.rule == "required"


def test_missing_path_parameters():
    error = input_error("get_quarantine_items", {"json_body": {}})

    field = only_field(error)
    assert field.path == "path_parameters"
    assert field.rule == "required"


def test_unknown_field():
    inputs = restored_example("isolate_host")
    inputs["json_body"]["params"]["endpointIds"] = [ENDPOINT_ID]

    field = only_field(input_error("isolate_host", inputs))

    assert field.path == "json_body.params.endpointIds"
    assert field.rule == "additionalProperties"
    assert "allowed fields here: endpointId" in field.message


def test_unknown_top_level_field():
    inputs = restored_example("isolate_host")
    inputs["headers"] = {"X-Forwarded-For": "127.0.0.1"}

    field = only_field(input_error("isolate_host", inputs))

    assert field.path == "headers"
    assert field.rule == "additionalProperties"


def test_wrong_type():
    inputs = restored_example("get_block_list_items")
    inputs["json_body"]["params"]["perPage"] = "thirty"

    field = only_field(input_error("get_block_list_items", inputs))

    assert field.path == "json_body.params.perPage"
    assert field.rule == "type"
    assert field.message == "must be of type integer, not string"


def test_boolean_not_integer():
    inputs = restored_example("get_block_list_items")
    inputs["json_body"]["params"]["page"] = True

    field = only_field(input_error("get_block_list_items", inputs))

    assert field.path == "json_body.params.page"
    assert field.message == "must be of type integer, not boolean"


def test_input_not_object():
    field = only_field(input_error("isolate_host", ["json_body"]))

    assert field.path == "(input)"
    assert field.rule == "type"


def test_enum_violation():
    inputs = restored_example("update_block_list")
    inputs["json_body"]["params"]["hashType"] = 3

    field = only_field(input_error("update_block_list", inputs))

    assert field.path == "json_body.params.hashType"
    assert field.rule == "enum"
    assert "use one of: 1, 2" in field.message


def test_rule_target_enum():
    inputs = restored_example("create_rule")
    inputs["json_body"]["params"]["settings"]["target"] = "network"

    field = only_field(input_error("create_rule", inputs))

    assert field.path == "json_body.params.settings.target"
    assert field.rule == "enum"
    assert "'connection'" in field.message


def test_more_than_100_ids():
    ids = [f"{index:024x}" for index in range(101)]
    inputs = restored_example("add_file_to_quarantine")
    inputs["json_body"]["params"]["endpointIds"] = ids

    field = only_field(input_error("add_file_to_quarantine", inputs))

    assert field.path == "json_body.params.endpointIds"
    assert field.rule == "maxItems"
    assert "100" in field.message
    # The message must not repeat all 101 IDs: other rules shorten the value to 80 characters.
    assert len(field.message) <= 200


def test_exactly_100_ids_accepted():
    ids = [f"{index:024x}" for index in range(100)]
    inputs = restored_example("remove_quarantine_items")
    inputs["json_body"]["params"]["quarantineItemsIds"] = ids

    result = Connector(DRY_RUN_CONNECTION).run("remove_quarantine_items", inputs, dry_run=True)

    assert result["request"]["json_body"]["params"]["quarantineItemsIds"] == ids


def test_empty_id_list():
    inputs = restored_example("restore_quarantine_item")
    inputs["json_body"]["params"]["quarantineItemsIds"] = []

    field = only_field(input_error("restore_quarantine_item", inputs))

    assert field.path == "json_body.params.quarantineItemsIds"
    assert field.rule == "minItems"


@pytest.mark.parametrize(
    ("name", "value", "rule", "expected_text"),
    [
        ("perPage", 0, "minimum", "at least 1"),
        ("perPage", 101, "maximum", "at most 100"),
        ("page", 0, "minimum", "at least 1"),
    ],
)
def test_paging_limits(name, value, rule, expected_text):
    inputs = quarantine_items_input(**{name: value})

    field = only_field(input_error("get_quarantine_items", inputs))

    assert field.path == f"json_body.params.{name}"
    assert field.rule == rule
    assert expected_text in field.message


@pytest.mark.parametrize(("page", "per_page"), [(1, 1), (1, 100), (500, 30)])
def test_paging_limits_accepted(page, per_page):
    inputs = quarantine_items_input(page=page, perPage=per_page)

    result = Connector(DRY_RUN_CONNECTION).run("get_quarantine_items", inputs, dry_run=True)

    assert result["request"]["json_body"]["params"] == {"page": page, "perPage": per_page}


def test_mismatched_method():
    inputs = restored_example("isolate_host")
    inputs["json_body"]["method"] = "createRestoreEndpointFromIsolationTask"

    error = input_error("isolate_host", inputs)

    field = only_field(error)
    assert field.path == "json_body.method"
    assert "'createRestoreEndpointFromIsolationTask'" in field.message
    assert "'createIsolateEndpointTask'" in field.message


def test_method_of_other_area_rejected():
    inputs = restored_example("get_block_list_items")
    inputs["json_body"]["method"] = "deleteCompany"

    field = only_field(input_error("get_block_list_items", inputs))

    assert field.path == "json_body.method"
    assert "'getBlocklistItems'" in field.message


def test_wrong_jsonrpc_version():
    inputs = restored_example("isolate_host")
    inputs["json_body"]["jsonrpc"] = "1.0"

    field = only_field(input_error("isolate_host", inputs))

    assert field.path == "json_body.jsonrpc"
    assert field.rule == "const"
    assert "'2.0'" in field.message


def test_empty_request_id():
    inputs = restored_example("isolate_host")
    inputs["json_body"]["id"] = ""

    field = only_field(input_error("isolate_host", inputs))

    assert field.path == "json_body.id"


@pytest.mark.parametrize(
    "service", ["servers", "Computers", "../incidents", "computers/../../general", "%2Fgeneral"]
)
def test_path_type_not_a_service(service):
    inputs = restored_example("get_quarantine_items")
    inputs["path_parameters"]["type"] = service

    field = only_field(input_error("get_quarantine_items", inputs))

    assert field.path == "path_parameters.type"
    assert field.rule == "enum"
    assert "'computers', 'exchange'" in field.message


def test_path_type_exchange_accepted():
    inputs = restored_example("create_empty_quarantine")
    inputs["path_parameters"]["type"] = "exchange"

    result = Connector(DRY_RUN_CONNECTION).run("create_empty_quarantine", inputs, dry_run=True)

    assert result["request"]["url"] == "https://127.0.0.1:8443/api/v1.0/jsonrpc/quarantine/exchange"


def test_path_type_defaults_to_computers():
    inputs = {"json_body": {}}

    result = Connector(DRY_RUN_CONNECTION).run("create_empty_quarantine", inputs, dry_run=True)

    assert result["request"]["url"] == (
        "https://127.0.0.1:8443/api/v1.0/jsonrpc/quarantine/computers"
    )


@pytest.fixture
def free_text_service_connector(tmp_path):
    """Return a Connector whose create_empty_quarantine accepts any string as the service.

    Without the enum, the path template's segment check is the only guard on the value before it
    enters the URL, so these tests exercise that check through Connector.run.
    """
    root = copy_manifest(tmp_path / "manifest")
    path, document = edit_action(root, "create_empty_quarantine")
    document["inputs"]["properties"]["path_parameters"]["properties"]["type"] = {
        "type": "string",
        "default": "computers",
    }
    write_yaml(path, document)
    return Connector(DRY_RUN_CONNECTION, manifest=load_manifest(root))


@pytest.mark.parametrize(
    "service",
    ["a/b", "..", ".", "%2F", "%2e%2e", "%252F", "a\\b", "x?y=1", "x#y", "computers/../general"],
)
def test_path_parameter_leaves_segment(service, free_text_service_connector):
    inputs = {"json_body": {}, "path_parameters": {"type": service}}

    with pytest.raises(InputError) as caught:
        free_text_service_connector.run("create_empty_quarantine", inputs, dry_run=True)

    field = only_field(caught.value)
    assert field.path == "path_parameters"
    assert "single path segment" in field.message


def test_path_parameter_template_text_encoded(free_text_service_connector):
    inputs = {"json_body": {}, "path_parameters": {"type": "{{ 7*7 }}"}}

    result = free_text_service_connector.run("create_empty_quarantine", inputs, dry_run=True)

    assert result["request"]["url"] == (
        "https://127.0.0.1:8443/api/v1.0/jsonrpc/quarantine/%7B%7B%207%2A7%20%7D%7D"
    )


@pytest.mark.parametrize("value", ["a/b", "..", "%2F", "%2f..%2f", "", None, 7])
def test_path_template_rejects_value(value):
    template = PathTemplate("api/v1.0/jsonrpc/quarantine/{{ type }}")

    with pytest.raises(PathParameterError):
        template.render({"type": value})


def test_path_template_missing_value():
    template = PathTemplate("api/v1.0/jsonrpc/quarantine/{{ type }}")

    with pytest.raises(PathParameterError):
        template.render({})


def test_end_date_before_start_date():
    inputs = quarantine_items_input(
        filters={"startDate": "2019-08-16T11:31:16", "endDate": "2019-07-28T11:31:28"}
    )

    field = only_field(input_error("get_quarantine_items", inputs))

    assert field.path == "json_body.params.filters.endDate"
    assert field.rule == "date_range"
    assert "json_body.params.filters.startDate" in field.message


def test_equal_dates_accepted():
    filters = {"startDate": "2019-07-28T11:31:28", "endDate": "2019-07-28T11:31:28"}
    inputs = quarantine_items_input(filters=filters)

    result = Connector(DRY_RUN_CONNECTION).run("get_quarantine_items", inputs, dry_run=True)

    assert result["request"]["json_body"]["params"]["filters"] == filters


def test_dates_compared_with_offsets():
    # 12:00 at +02:00 is 10:00 UTC, so an end of 11:00 UTC is later, not earlier.
    filters = {"startDate": "2019-08-16T12:00:00+02:00", "endDate": "2019-08-16T11:00:00Z"}
    inputs = quarantine_items_input(filters=filters)

    result = Connector(DRY_RUN_CONNECTION).run("get_quarantine_items", inputs, dry_run=True)

    assert result["request"]["json_body"]["params"]["filters"] == filters


def test_offset_end_before_start():
    # 13:00 at +02:00 is 11:00 UTC, one hour before the 12:00 UTC start.
    filters = {"startDate": "2019-08-16T12:00:00Z", "endDate": "2019-08-16T13:00:00+02:00"}

    field = only_field(input_error("get_quarantine_items", quarantine_items_input(filters=filters)))

    assert field.path == "json_body.params.filters.endDate"
    assert field.rule == "date_range"


@pytest.mark.parametrize("date", ["2019-07-28", "28/07/2019 11:31", "2019-13-01T00:00:00"])
def test_malformed_date(date):
    inputs = quarantine_items_input(filters={"startDate": date})

    field = only_field(input_error("get_quarantine_items", inputs))

    assert field.path == "json_body.params.filters.startDate"
    assert field.rule == "pattern"


def test_sha256_wrong_length():
    inputs = restored_example("update_block_list")
    inputs["json_body"]["params"]["hashType"] = 1
    inputs["json_body"]["params"]["hashList"] = [MD5_OF_A, SHA256_OF_FOO, SHA256_OF_FOO[:-1]]

    error = input_error("update_block_list", inputs)

    assert [field.path for field in error.errors] == [
        "json_body.params.hashList[0]",
        "json_body.params.hashList[2]",
    ]
    assert "64 hexadecimal characters" in error.errors[0].message
    assert "64 hexadecimal characters" in error.errors[1].message


def test_md5_wrong_length():
    inputs = restored_example("update_block_list")
    inputs["json_body"]["params"]["hashType"] = 2
    inputs["json_body"]["params"]["hashList"] = [MD5_OF_A, SHA256_OF_FOO, "0cc175b9"]

    error = input_error("update_block_list", inputs)

    assert [field.path for field in error.errors] == [
        "json_body.params.hashList[1]",
        "json_body.params.hashList[2]",
    ]
    assert "32 hexadecimal characters" in error.errors[0].message
    assert "json_body.params.hashList[1]" in str(error)
    assert "json_body.params.hashList[2]" in str(error)


def test_hash_not_hexadecimal():
    inputs = restored_example("update_block_list")
    inputs["json_body"]["params"]["hashList"] = ["0cc175b9c0f1b6a831c399e26977266g"]

    field = only_field(input_error("update_block_list", inputs))

    assert field.path == "json_body.params.hashList[0]"
    assert field.rule == "pattern"


def test_sha256_list_accepted():
    inputs = restored_example("update_block_list")
    inputs["json_body"]["params"]["hashType"] = 1
    inputs["json_body"]["params"]["hashList"] = [SHA256_OF_FOO, SHA256_OF_FOO.upper()]

    result = Connector(DRY_RUN_CONNECTION).run("update_block_list", inputs, dry_run=True)

    assert result["request"]["json_body"]["params"]["hashList"] == [
        SHA256_OF_FOO,
        SHA256_OF_FOO.upper(),
    ]


def test_criteria_any_needs_list():
    inputs = restored_example("create_rule")
    criteria = inputs["json_body"]["params"]["settings"]["criteriaList"]
    criteria[2]["value"] = "22"

    field = only_field(input_error("create_rule", inputs))

    assert field.path == "json_body.params.settings.criteriaList[2].value"
    assert field.rule == "type"
    assert "array" in field.message


def test_criteria_contains_string_accepted():
    inputs = restored_example("create_rule")

    result = Connector(DRY_RUN_CONNECTION).run("create_rule", inputs, dry_run=True)

    criteria = result["request"]["json_body"]["params"]["settings"]["criteriaList"]
    assert criteria[1]["value"] == "*/network1"


def test_criteria_unknown_relation():
    inputs = restored_example("create_rule")
    inputs["json_body"]["params"]["settings"]["criteriaList"][0]["relation"] = "matches"

    field = only_field(input_error("create_rule", inputs))

    assert field.path == "json_body.params.settings.criteriaList[0].relation"
    assert field.rule == "enum"


def test_several_errors_reported():
    inputs = {"json_body": {"params": {"hashType": 5, "hashList": []}}}

    error = input_error("update_block_list", inputs)

    paths = [field.path for field in error.errors]
    assert "json_body.params.hashType" in paths
    assert "json_body.params.hashList" in paths
    assert "json_body.params.sourceInfo" in paths


def test_error_document_shape():
    error = input_error("isolate_host", {"json_body": {"params": {}}})

    assert error.to_dict() == {
        "error": {
            "type": "invalid_input",
            "message": (
                "Invalid input for action isolate_host: json_body.params.endpointId: "
                "is required but missing"
            ),
            "action": "isolate_host",
            "fields": [
                {
                    "path": "json_body.params.endpointId",
                    "rule": "required",
                    "message": "is required but missing",
                }
            ],
        }
    }


def test_invalid_exchange_email():
    field = only_field(input_error("restore_quarantine_exchange_item", exchange_input(email="x")))

    assert field.path == "json_body.params.email"
    assert field.rule == "format"


def test_invalid_ews_url():
    inputs = exchange_input(ewsUrl="ftp://mail.local/EWS/Exchange.asmx")

    field = only_field(input_error("restore_quarantine_exchange_item", inputs))

    assert field.path == "json_body.params.ewsUrl"
    assert field.rule == "pattern"


@pytest.mark.parametrize(
    "params",
    [
        {"password": [EXCHANGE_PASSWORD]},
        {"password": {"value": EXCHANGE_PASSWORD}},
        {"password": EXCHANGE_PASSWORD, "email": "not-an-address"},
        {"password": EXCHANGE_PASSWORD, "quarantineItemsIds": ["bad-id"]},
        {"password": EXCHANGE_PASSWORD, "username": ""},
        {"password": EXCHANGE_PASSWORD, "unexpected": EXCHANGE_PASSWORD},
    ],
)
def test_password_not_in_message(params):
    error = input_error("restore_quarantine_exchange_item", exchange_input(**params))

    assert EXCHANGE_PASSWORD not in str(error)
    assert EXCHANGE_PASSWORD not in json.dumps(error.to_dict())


def test_unknown_action():
    with pytest.raises(UnknownActionError) as caught:
        Connector(DRY_RUN_CONNECTION).run("isolate_endpoint", {"json_body": {}}, dry_run=True)

    assert "'isolate_endpoint'" in str(caught.value)
    assert "isolate_host" in str(caught.value)


def test_object_id_trailing_newline_rejected():
    inputs = {"json_body": {"params": {"endpointId": "5b680f6fb1a43d860a7b23c1\n"}}}
    with pytest.raises(InputError) as caught:
        Connector({}).run("isolate_host", inputs, dry_run=True)
    assert caught.value.errors[0].path == "json_body.params.endpointId"
    assert caught.value.errors[0].rule == "pattern"


def test_md5_trailing_newline_rejected():
    params = {"hashType": 2, "hashList": ["0cc175b9c0f1b6a831c399e269772661\n"], "sourceInfo": "x"}
    with pytest.raises(InputError) as caught:
        Connector({}).run("update_block_list", {"json_body": {"params": params}}, dry_run=True)
    assert caught.value.errors[0].path == "json_body.params.hashList[0]"
