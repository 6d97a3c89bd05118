"""The part of Swimlane Turbine's action container that hands a run to connector-def-runner.

Usage: ``python swimlane_container.py ACTION_ID < inputs.json``, with the repository root as the
working directory and ``ASSET_KEYS`` set to the comma-separated names of the asset fields.

tests/test_swimlane_runner.py runs this file with the Python of a separate virtual environment
that holds only connector-def-runner, so it imports nothing from this project.

It follows swimlane-core 1.1.1 (PyPI, MIT licence), ``swimlane_core/io_handler.py``, whose
``InputHandler`` and ``OutputHandler`` the platform uses to feed the runner:

- standard input carries one JSON object that mixes the asset fields and the action inputs.
  Keys named in ``ASSET_KEYS`` form the asset, and the other keys are the action inputs.
- the asset schema's name is chosen from the asset's keys: ``username`` and ``password``
  together select ``http_basic``, and without ``password`` the fallback is ``apikey``.
- both schemas are found by reading every ``*.yaml`` below the working directory and matching
  ``schema`` (``asset/1`` or ``action/1``) and ``name``.
- the proxy is the ``http_proxy`` environment variable, or else the asset's ``http_proxy``.
- the output is printed as ``::set-output `` followed by the JSON document.

swimlane-core itself cannot be installed beside the runner, because swimlane-core 1.1.1 pins
requests 2.28.0 and connector-def-runner 2.3.18 pins requests 2.33.1.
"""

import glob
import json
import os
import sys

import yaml
from connector_definition_runner import Runner

# Key sets that select a built-in asset schema, checked in this order (swimlane-core 1.1.1).
ASSET_NAMES_BY_KEYS = (
    ({"username", "password"}, "http_basic"),
    ({"token"}, "http_bearer"),
    ({"oauth2_username", "oauth2_password"}, "oauth2_password"),
    ({"client_secret", "client_id"}, "oauth2_client_credentials"),
)


def split_asset(raw: dict) -> tuple[dict, dict]:
    asset_keys = os.environ["ASSET_KEYS"].split(",")
    asset = {key: value for key, value in raw.items() if key in asset_keys}
    inputs = {key: value for key, value in raw.items() if key not in asset}
    return asset, inputs


def asset_name(asset: dict) -> str:
    for keys, name in ASSET_NAMES_BY_KEYS:
        if keys <= set(asset):
            return name
    return "apikey"


def find_schemas(wanted_asset: str, action_id: str) -> tuple[dict, dict]:
    asset_schema: dict = {}
    action_schema: dict = {}
    for path in glob.glob("./**/*.yaml", recursive=True):
        with open(path, encoding="utf-8") as handle:
            try:
                document = yaml.safe_load(handle)
            except yaml.YAMLError:
                continue  # swimlane-core skips a file it cannot parse.
        if not isinstance(document, dict):
            continue
        if document.get("schema") == "asset/1" and document.get("name") == wanted_asset:
            asset_schema = document
        elif document.get("schema") == "action/1" and document.get("name") == action_id:
            action_schema = document
    return asset_schema, action_schema


def main() -> None:
    action_id = sys.argv[1]
    asset, inputs = split_asset(json.loads(sys.stdin.read() or "{}"))
    asset_schema, action_schema = find_schemas(asset_name(asset), action_id)
    http_proxy = os.getenv("http_proxy") or asset.get("http_proxy")
    runner = Runner(asset=asset, asset_schema=asset_schema, http_proxy=http_proxy)
    output = runner.run(inputs=inputs, action_schema=action_schema)
    print("::set-output " + json.dumps(output))


if __name__ == "__main__":
    main()
