"""Conversion of playbook strings to the types of the input schema, and what is never converted."""

from __future__ import annotations

import copy
import json
import logging

import pytest

from bitdefender_connector import Connector, InputError
from bitdefender_connector.conversion import convert_inputs
from bitdefender_connector.manifest import load_manifest

from .test_spec_examples import restored_example

DRY_RUN_CONNECTION = {"url": "https://127.0.0.1:8443/api"}
MANIFEST = load_manifest()
ID_A = "5b680f6fb1a43d860a7b23c1"
ID_B = "63896b87b7894d0f367b23c6"
EXCHANGE_PASSWORD = "Conv3rsion-Exchange-Secret!"


def dry_run(action_id, inputs):
    return Connector(DRY_RUN_CONNECTION).run(action_id, inputs, dry_run=True)


def sent_params(action_id, inputs):
    return dry_run(action_id, inputs)["request"]["json_body"]["params"]


def input_error(action_id, inputs) -> InputError:
    with pytest.raises(InputError) as caught:
        dry_run(action_id, inputs)
    return caught.value


def quarantine_list_input(**params):
    return {"json_body": {"params": params}, "path_parameters": {"type": "computers"}}


def restore_input(**params):
    return {"json_body": {"params": {"quarantineItemsIds": [ID_A], **params}}}


# Booleans


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("false", False), ("TRUE", True), ("False", False), (" true ", True)],
)
def test_boolean_text_converted(text, expected):
    params = sent_params("restore_quarantine_item", restore_input(addExclusionInPolicy=text))

    assert params["addExclusionInPolicy"] is expected


@pytest.mark.parametrize("text", ["yes", "1", "on", "", "truee"])
def test_boolean_other_text_rejected(text):
    error = input_error("restore_quarantine_item", restore_input(addExclusionInPolicy=text))

    assert [field.path for field in error.errors] == ["json_body.params.addExclusionInPolicy"]
    assert error.errors[0].message == "must be of type boolean, not string"


def test_return_rule_id_converted():
    inputs = restored_example("create_rule")
    inputs["json_body"]["params"]["returnRuleId"] = "true"

    assert sent_params("create_rule", inputs)["returnRuleId"] is True


# Integers


@pytest.mark.parametrize(("text", "expected"), [("2", 2), (" 50 ", 50), ("+3", 3), ("007", 7)])
def test_integer_text_converted(text, expected):
    params = sent_params("get_quarantine_items", quarantine_list_input(page=text))

    assert params["page"] == expected


def test_converted_integer_still_range_checked():
    error = input_error("get_quarantine_items", quarantine_list_input(perPage="101"))

    assert [field.path for field in error.errors] == ["json_body.params.perPage"]
    assert error.errors[0].rule == "maximum"


@pytest.mark.parametrize("text", ["1.5", "1e3", "two", "", "٣", "0x10", "9" * 5000])
def test_integer_other_text_rejected(text):
    error = input_error("get_quarantine_items", quarantine_list_input(page=text))

    assert [field.path for field in error.errors] == ["json_body.params.page"]
    assert error.errors[0].message == "must be of type integer, not string"


def test_hash_type_converted():
    inputs = restored_example("update_block_list")
    inputs["json_body"]["params"]["hashType"] = "2"

    assert sent_params("update_block_list", inputs)["hashType"] == 2


def test_nested_integer_converted():
    params = sent_params(
        "get_quarantine_items", quarantine_list_input(filters={"actionStatus": "1"})
    )

    assert params["filters"] == {"actionStatus": 1}


# Arrays


@pytest.mark.parametrize(
    "text",
    [
        f"{ID_A},{ID_B}",
        f"{ID_A}, {ID_B}",
        f" {ID_A} ,{ID_B},",
        f'["{ID_A}", "{ID_B}"]',
    ],
)
def test_array_text_converted(text):
    params = sent_params(
        "remove_quarantine_items", {"json_body": {"params": {"quarantineItemsIds": text}}}
    )

    assert params["quarantineItemsIds"] == [ID_A, ID_B]


def test_single_id_becomes_list():
    inputs = {"json_body": {"params": {"endpointIds": ID_A, "filePath": "C:\\x.exe"}}}

    assert sent_params("add_file_to_quarantine", inputs)["endpointIds"] == [ID_A]


def test_empty_text_gives_empty_list():
    error = input_error(
        "remove_quarantine_items", {"json_body": {"params": {"quarantineItemsIds": ""}}}
    )

    assert [field.path for field in error.errors] == ["json_body.params.quarantineItemsIds"]
    assert error.errors[0].rule == "minItems"


def test_converted_items_still_checked():
    inputs = {"json_body": {"params": {"quarantineItemsIds": f"{ID_A},not-an-id"}}}

    error = input_error("remove_quarantine_items", inputs)

    assert [field.path for field in error.errors] == ["json_body.params.quarantineItemsIds[1]"]


@pytest.mark.parametrize("text", [f"['{ID_A}']", "[1,", '["unclosed"'])
def test_array_bad_json_rejected(text):
    error = input_error(
        "remove_quarantine_items", {"json_body": {"params": {"quarantineItemsIds": text}}}
    )

    assert [field.path for field in error.errors] == ["json_body.params.quarantineItemsIds"]
    assert error.errors[0].message == "must be of type array, not string"


def test_hash_list_text_converted():
    inputs = restored_example("update_block_list")
    inputs["json_body"]["params"]["hashList"] = (
        "0cc175b9c0f1b6a831c399e269772661,f696282aa4cd4f614aa995190cf442fe"
    )

    assert sent_params("update_block_list", inputs)["hashList"] == [
        "0cc175b9c0f1b6a831c399e269772661",
        "f696282aa4cd4f614aa995190cf442fe",
    ]


def test_tags_text_converted():
    inputs = restored_example("create_rule")
    inputs["json_body"]["params"]["tags"] = "edr, playbook"

    assert sent_params("create_rule", inputs)["tags"] == ["edr", "playbook"]


# Objects


def test_object_text_converted():
    params = sent_params(
        "get_quarantine_items", quarantine_list_input(filters='{"threatName": "Virus.0"}')
    )

    assert params["filters"] == {"threatName": "Virus.0"}


def test_params_text_converted():
    inputs = {"json_body": {"params": json.dumps({"endpointId": ID_A})}}

    assert sent_params("isolate_host", inputs) == {"endpointId": ID_A}


def test_json_body_text_converted():
    inputs = {"json_body": json.dumps({"params": {"endpointId": ID_A}, "id": "text-body"})}

    request = dry_run("isolate_host", inputs)["request"]

    assert request["json_body"]["params"] == {"endpointId": ID_A}
    assert request["json_body"]["id"] == "text-body"


def test_values_inside_text_converted():
    settings = restored_example("create_rule")["json_body"]["params"]["settings"]
    settings["status"] = "1"
    inputs = restored_example("create_rule")
    inputs["json_body"]["params"]["settings"] = json.dumps(settings)

    assert sent_params("create_rule", inputs)["settings"]["status"] == 1


def test_criteria_item_text_converted():
    inputs = restored_example("create_rule")
    criteria = inputs["json_body"]["params"]["settings"]["criteriaList"]
    criteria[0] = json.dumps(criteria[0])

    sent = sent_params("create_rule", inputs)["settings"]["criteriaList"][0]

    assert sent == {"field": "Connection.DestinationPort", "relation": "is", "value": ["25691"]}


@pytest.mark.parametrize("text", ['{"threatName": ', "[]", '"text"', "threatName=x"])
def test_object_bad_text_rejected(text):
    error = input_error("get_quarantine_items", quarantine_list_input(filters=text))

    assert [field.path for field in error.errors] == ["json_body.params.filters"]
    assert error.errors[0].message == "must be of type object, not string"


def test_deep_json_text_rejected():
    text = "[" * 5000 + "]" * 5000

    error = input_error(
        "remove_quarantine_items", {"json_body": {"params": {"quarantineItemsIds": text}}}
    )

    assert error.errors[0].path == "json_body.params.quarantineItemsIds"


def test_deep_input_rejected():
    nested: list = []
    for _ in range(2000):
        nested = [nested]

    error = input_error(
        "remove_quarantine_items", {"json_body": {"params": {"quarantineItemsIds": nested}}}
    )

    assert error.errors[0].path.startswith("json_body.params.quarantineItemsIds[0][0]")
    assert error.errors[0].rule == "depth"


# What is never converted


@pytest.mark.parametrize("text", ["true", "42", "a,b", '{"x": 1}', "[1]"])
def test_string_fields_untouched(text):
    inputs = {"json_body": {"params": {"endpointIds": [ID_A], "filePath": text}}}

    assert sent_params("add_file_to_quarantine", inputs)["filePath"] == text


def test_string_or_array_value_untouched():
    # criteriaList[].value may be a string or a list, so text stays text.
    inputs = restored_example("create_rule")
    inputs["json_body"]["params"]["settings"]["criteriaList"][1]["value"] = "a,b"

    sent = sent_params("create_rule", inputs)["settings"]["criteriaList"][1]

    assert sent["value"] == "a,b"


def test_request_id_untouched():
    inputs = restored_example("isolate_host")
    inputs["json_body"]["id"] = "12345"

    assert dry_run("isolate_host", inputs)["request"]["json_body"]["id"] == "12345"


def test_values_of_right_type_kept():
    plan = MANIFEST.action("get_quarantine_items").conversion_plan
    inputs = quarantine_list_input(page=2, filters={"actionStatus": 1})

    converted, conversions = convert_inputs(inputs, plan)

    assert converted == inputs
    assert conversions == []


def test_input_not_changed():
    inputs = quarantine_list_input(page="2", filters='{"threatName": "x"}')
    before = copy.deepcopy(inputs)

    dry_run("get_quarantine_items", inputs)

    assert inputs == before


# Reporting


def test_dry_run_lists_conversions():
    inputs = quarantine_list_input(page="2", perPage="10", filters='{"actionStatus": "1"}')

    result = dry_run("get_quarantine_items", inputs)

    assert result["conversions"] == [
        "json_body.params.page: '2' converted to integer",
        "json_body.params.perPage: '10' converted to integer",
        "json_body.params.filters: text converted to object",
        "json_body.params.filters.actionStatus: '1' converted to integer",
    ]


def test_dry_run_list_conversion_named():
    inputs = {"json_body": {"params": {"quarantineItemsIds": f"{ID_A},{ID_B}"}}}

    result = dry_run("remove_quarantine_items", inputs)

    assert result["conversions"] == ["json_body.params.quarantineItemsIds: text converted to array"]


def test_no_conversions_no_key():
    result = dry_run("isolate_host", restored_example("isolate_host"))

    assert "conversions" not in result


def test_conversion_hides_password():
    params = {
        "quarantineItemsIds": [ID_A],
        "username": "user@domain",
        "password": EXCHANGE_PASSWORD,
    }
    inputs = {"json_body": {"params": json.dumps(params)}}

    result = dry_run("restore_quarantine_exchange_item", inputs)

    assert result["conversions"] == ["json_body.params: text converted to object"]
    assert EXCHANGE_PASSWORD not in json.dumps(result)


def test_real_run_logs_conversions(recording_server, server_connection, caplog):
    inputs = {"json_body": {"params": {"page": "3"}}}

    with caplog.at_level(logging.INFO, logger="bitdefender_connector.connector"):
        with Connector(server_connection, rate_limiting=False) as connector:
            connector.run("get_block_list_items", inputs)

    messages = [record.getMessage() for record in caplog.records]
    assert "get_block_list_items: json_body.params.page: '3' converted to integer" in messages
    assert recording_server.requests[0].json()["params"] == {"page": 3}
