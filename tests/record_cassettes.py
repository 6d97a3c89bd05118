"""Record one vcrpy cassette per action, plus error cases, from the local emulator.

Run with ``make cassettes``. Secrets are scrubbed before anything is written.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from bitdefender_connector import ActionFailedError, Connector
from bitdefender_connector.emulator import Emulator

from .cassette_support import CASSETTE_DIR, RECORDING_API_KEY, make_vcr

ALL_AREAS = {"incidents", "quarantine", "general"}
KEY_WITHOUT_QUARANTINE = "recording-key-incidents-only-7a41"

# Error cases: (cassette name, action, input, key). Each must fail with ActionFailedError.
ERROR_CASES: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "error_delete_unknown_rule",
        "delete_rule",
        {"json_body": {"id": "rec-1", "params": {"ruleId": "aaaaaaaaaaaaaaaaaaaaaaaa", "type": 1}}},
        RECORDING_API_KEY,
    ),
    (
        "error_restore_unknown_quarantine_item",
        "restore_quarantine_item",
        {
            "json_body": {
                "id": "rec-2",
                "params": {"quarantineItemsIds": ["bbbbbbbbbbbbbbbbbbbbbbbb"]},
            }
        },
        RECORDING_API_KEY,
    ),
    (
        "error_key_without_quarantine_area",
        "get_quarantine_items",
        {"json_body": {"id": "rec-3", "params": {}}, "path_parameters": {"type": "computers"}},
        KEY_WITHOUT_QUARANTINE,
    ),
    (
        "error_unknown_api_key",
        "get_block_list_items",
        {"json_body": {"id": "rec-4", "params": {"page": 1, "perPage": 30}}},
        "recording-key-unknown-0000",
    ),
]


def record() -> int:
    """Record every cassette into ``cassettes/`` and return an exit code."""
    recorder = make_vcr(record_mode="all")
    CASSETTE_DIR.mkdir(exist_ok=True)
    api_keys = {RECORDING_API_KEY: ALL_AREAS, KEY_WITHOUT_QUARANTINE: {"incidents", "general"}}
    with Emulator(api_keys=api_keys, rate_limits=False) as emulator:
        with Connector({"url": emulator.access_url, "username": RECORDING_API_KEY}) as connector:
            for action in connector.manifest.actions.values():
                # Each cassette starts from the seed data, so no example depends on another.
                emulator.reset_state()
                with recorder.use_cassette(f"{action.name}.yaml"):
                    connector.run(action.name, action.example_input)
                print(f"recorded {action.name}")
        for name, action_id, inputs, key in ERROR_CASES:
            with Connector({"url": emulator.access_url, "username": key}) as connector:
                with recorder.use_cassette(f"{name}.yaml"):
                    try:
                        connector.run(action_id, inputs)
                    except ActionFailedError:
                        print(f"recorded {name}")
                    else:
                        print(f"{name}: expected a failure, got success", file=sys.stderr)
                        return 1
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    raise SystemExit(record())
