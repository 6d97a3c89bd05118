"""The demo: runs every action's example against a local emulator and prints one line per action."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .errors import EXIT_SERVICE_FAILURE, EXIT_SUCCESS, ActionFailedError, ConnectorError

DEFAULT_OUTPUT = "demo-output.json"

# The order follows a playbook and keeps each example valid. The lists are read before anything
# changes, and emptying the computers quarantine comes last because it removes the items that
# the remove and restore examples name. Actions missing here run at the end.
DEMO_ORDER = (
    "get_quarantine_items",
    "get_block_list_items",
    "get_rules",
    "isolate_host",
    "create_restore_endpoint_from_isolation_task",
    "add_file_to_quarantine",
    "quarantine_file",
    "remove_quarantine_items",
    "restore_quarantine_item",
    "restore_quarantine_exchange_item",
    "update_block_list",
    "remove_from_block_list",
    "create_rule",
    "delete_rule",
    "create_empty_quarantine",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the demo's options."""
    parser.add_argument(
        "--output",
        metavar="FILE",
        default=DEFAULT_OUTPUT,
        help=f"where to write every action's full envelope as JSON (default: {DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--tls", action="store_true", help="serve the emulator over HTTPS with a test CA"
    )


def run(args: argparse.Namespace) -> int:
    """Start the emulator, run all actions with their examples, and return 0 if all succeeded."""
    from .connector import Connector
    from .emulator import Emulator

    results: list[dict[str, Any]] = []
    with Emulator(tls=args.tls) as emulator:
        settings = {"url": emulator.access_url, "username": emulator.api_key}
        if emulator.ca_bundle_path:
            settings["ca_bundle"] = emulator.ca_bundle_path
        print(f"GravityZone emulator at {emulator.access_url}", file=sys.stderr)
        with Connector(settings) as connector:
            for action_id in demo_order(connector.manifest.actions):
                action = connector.action(action_id)
                results.append(_run_one(connector, action_id, action.example_input))
                _print_line(results[-1])

    failed = [result for result in results if not result["succeeded"]]
    output = Path(args.output)
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(results) - len(failed)} of {len(results)} actions succeeded")
    print(f"Full envelopes written to {output.resolve()}")
    return EXIT_SUCCESS if not failed else EXIT_SERVICE_FAILURE


def demo_order(action_ids: Any) -> list[str]:
    """Return the manifest's action ids in demo order."""
    known = [action_id for action_id in DEMO_ORDER if action_id in action_ids]
    return known + sorted(set(action_ids) - set(known))


def _run_one(connector: Any, action_id: str, inputs: Any) -> dict[str, Any]:
    action = connector.action(action_id)
    record: dict[str, Any] = {"action": action_id, "jsonrpc_method": action.jsonrpc_method}
    try:
        envelope = connector.run(action_id, inputs)
    except ActionFailedError as error:
        record.update(succeeded=False, envelope=error.envelope, message=str(error))
    except ConnectorError as error:
        record.update(succeeded=False, envelope=None, message=str(error))
    else:
        record.update(succeeded=True, envelope=envelope, message=summarize_result(envelope))
    return record


def summarize_result(envelope: dict[str, Any]) -> str:
    """Return a short description of a successful envelope's JSON-RPC result."""
    result = (envelope.get("json_body") or {}).get("result")
    if isinstance(result, dict) and "items" in result:
        return (
            f"{len(result['items'])} of {result.get('total')} items "
            f"(page {result.get('page')} of {result.get('pagesCount')})"
        )
    if result is True:
        return "result true"
    if isinstance(result, str):
        return f"new id {result}"
    if isinstance(result, list):
        return f"task ids {', '.join(map(str, result))}"
    return f"result {json.dumps(result)}"


def _print_line(record: dict[str, Any]) -> None:
    envelope = record.get("envelope") or {}
    status = envelope.get("status_code", "-")
    outcome = "ok" if record["succeeded"] else "FAILED"
    print(
        f"{record['action']:<45} {record['jsonrpc_method']:<40} {status!s:>3}  {outcome:<6} "
        f"{record['message']}"
    )
