"""The connection test: calls getApiKeyDetails and reports which actions the API key can run.

The call goes through the same transport, retry policy and rate limiter as the actions, so it
checks the access URL, TLS, the proxy and the API key together. getApiKeyDetails returns the
API areas enabled on the key (``enabledApis``), which are compared with each action's
``meta.api_area`` through ``connection_test.enabled_api_names`` in connector.yaml.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator

from .errors import (
    EXIT_NO_RESPONSE,
    EXIT_SERVICE_FAILURE,
    EXIT_SUCCESS,
    ActionFailedError,
    ManifestError,
    NoResponseError,
)
from .manifest import GENERAL_API_AREA, Action, ConnectionTestSpec, Manifest, load_manifest
from .path_template import PathTemplate

if TYPE_CHECKING:
    from .connection import Connection
    from .connector import Connector

# Report statuses, from best to worst.
STATUS_OK = "ok"
STATUS_MISSING_API_AREAS = "missing_api_areas"
STATUS_UNAUTHORIZED = "unauthorized"
STATUS_SERVICE_FAILURE = "service_failure"
STATUS_NO_RESPONSE = "no_response"

EXIT_CODES = {
    STATUS_OK: EXIT_SUCCESS,
    STATUS_MISSING_API_AREAS: EXIT_SERVICE_FAILURE,
    STATUS_UNAUTHORIZED: EXIT_SERVICE_FAILURE,
    STATUS_SERVICE_FAILURE: EXIT_SERVICE_FAILURE,
    STATUS_NO_RESPONSE: EXIT_NO_RESPONSE,
}

# Values of the report's checks.
OK = "ok"
FAILED = "failed"
NOT_USED = "not_used"
NOT_CHECKED = "not_checked"
NOT_VERIFIED = "not_verified"
ACCEPTED = "accepted"
REJECTED = "rejected"

# Failure reasons (from outcome.check_outcome) that mean a GravityZone API sent the response.
_API_ANSWER_REASONS = frozenset({"unauthorized", "forbidden", "jsonrpc_error", "rate_limited"})

PROBE_ACTION_NAME = "connection_test"
PROBE_RATE_LIMIT_CLASS = "default"
KEY_SETTINGS_HINT = "Control Center > My Account > API keys"


@dataclass(frozen=True)
class BlockedAction:
    """An action that the API key cannot run, and the API area to enable for it."""

    action: str
    api_area: str

    def to_dict(self) -> dict[str, str]:
        return {
            "action": self.action,
            "api_area": self.api_area,
            "fix": f"enable the {self.api_area} API for this key in {KEY_SETTINGS_HINT}",
        }


@dataclass(frozen=True)
class ConnectionReport:
    """The outcome of a connection test.

    ``checks`` maps access_url, tls, proxy and api_key to ok, failed, not_used, not_checked,
    not_verified (TLS with verify_ssl off), accepted or rejected. The key's details and the
    action lists are empty unless getApiKeyDetails succeeded.
    """

    status: str
    message: str
    access_url: str
    checks: Mapping[str, str]
    enabled_apis: tuple[str, ...] = ()
    key_created_at: str | None = None
    runnable_actions: tuple[str, ...] = ()
    blocked_actions: tuple[BlockedAction, ...] = ()
    reason_code: str | None = None
    envelope: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK

    @property
    def exit_code(self) -> int:
        """The CLI exit code: 0 ok, 1 a failure or missing area reported by the service, 3 none."""
        return EXIT_CODES[self.status]

    @property
    def missing_api_areas(self) -> list[str]:
        """The API areas to enable so that every action can run, sorted."""
        return sorted({blocked.api_area for blocked in self.blocked_actions})

    def to_dict(self) -> dict[str, Any]:
        """Return the report as the JSON document the CLI prints."""
        data: dict[str, Any] = {
            "status": self.status,
            "ok": self.ok,
            "message": self.message,
            "access_url": self.access_url,
            "checks": dict(self.checks),
            "api_key": None,
            "runnable_actions": list(self.runnable_actions),
            "blocked_actions": [blocked.to_dict() for blocked in self.blocked_actions],
            "missing_api_areas": self.missing_api_areas,
        }
        if self.status in (STATUS_OK, STATUS_MISSING_API_AREAS):
            data["api_key"] = {
                "enabled_apis": list(self.enabled_apis),
                "created_at": self.key_created_at,
            }
        if self.reason_code is not None:
            data["reason_code"] = self.reason_code
        if self.envelope is not None:
            data["envelope"] = dict(self.envelope)
        return data


def check_connection(connector: Connector) -> ConnectionReport:
    """Send getApiKeyDetails with ``connector`` and return the report.

    Raises ConfigurationError when the connection settings are invalid and ManifestError when
    the manifest has no connection_test block. Nothing is sent in either case.
    """
    manifest = connector.manifest
    spec = manifest.connection_test
    if spec is None:
        raise ManifestError(
            "connector.yaml has no connection_test block, so the connection test cannot run"
        )
    connection = connector.connection
    probe = build_probe_action(manifest, spec)
    try:
        envelope = connector.run_action(probe, {"json_body": {"params": {}}})
    except NoResponseError as error:
        reason = error.reason_code
        return ConnectionReport(
            status=STATUS_NO_RESPONSE,
            message=str(error),
            access_url=connection.access_url,
            checks=_checks_without_response(connection, reason),
            reason_code=reason,
        )
    except ActionFailedError as error:
        # getApiKeyDetails needs no API area, so HTTP 403 on it rejects the key, as 401 does.
        unauthorized = error.reason_code in ("unauthorized", "forbidden")
        return ConnectionReport(
            status=STATUS_UNAUTHORIZED if unauthorized else STATUS_SERVICE_FAILURE,
            message=_probe_failure_message(spec, error),
            access_url=connection.access_url,
            checks=_checks_with_response(
                connection,
                url_works=error.reason_code in _API_ANSWER_REASONS,
                api_key=REJECTED if unauthorized else NOT_CHECKED,
            ),
            reason_code=error.reason_code,
            envelope=error.envelope,
        )
    return _report_key_details(manifest, spec, connection, envelope)


def _probe_failure_message(spec: ConnectionTestSpec, error: ActionFailedError) -> str:
    """Return the report message for a failed call.

    outcome.check_outcome words its messages for actions: for HTTP 403 it names an API area to
    enable, and for a result of false it points at target ids. This call has neither, so those
    two cases get messages of their own.
    """
    method = spec.jsonrpc_method
    if error.reason_code == "forbidden":
        status = f"HTTP {error.envelope.get('status_code')} {error.envelope.get('reason')}"
        return (
            f"{PROBE_ACTION_NAME}: {status}: GravityZone rejected the API key for {method}, "
            "which needs no API area of its own. Check that username (or BITDEFENDER_API_KEY) "
            f"is an API key from {KEY_SETTINGS_HINT} on this console, not a key of another "
            "Bitdefender product, and that the key is not restricted"
        )
    if error.reason_code == "result_false":
        return (
            f"{PROBE_ACTION_NAME}: GravityZone returned false for {method} instead of the API "
            "key's details. Check that url is the API access URL of the console that issued "
            "the key"
        )
    return str(error)


def build_probe_action(manifest: Manifest, spec: ConnectionTestSpec) -> Action:
    """Return an Action for the connection test's call, which is not a manifest action."""
    if PROBE_RATE_LIMIT_CLASS not in manifest.rate_limit_classes:
        raise ManifestError(
            f"connector.yaml: rate_limit_classes: the connection test needs a class named "
            f"{PROBE_RATE_LIMIT_CLASS!r}"
        )
    return Action(
        name=PROBE_ACTION_NAME,
        title="Connection test",
        description=f"Calls {spec.jsonrpc_method} to check the connection and the API key.",
        source=manifest.root / "connector.yaml",
        endpoint=PathTemplate(spec.endpoint),
        http_method=spec.http_method,
        jsonrpc_method=spec.jsonrpc_method,
        kind="read",
        api_area=GENERAL_API_AREA,
        rate_limit_class=PROBE_RATE_LIMIT_CLASS,
        aliases=(),
        secret_fields=(),
        date_ranges=(),
        notes=(),
        inputs_schema={"type": "object"},
        output_schema={},
        example_input={},
        example_output={},
        input_validator=Draft202012Validator({"type": "object"}),
        output_validator=Draft202012Validator({}),
    )


def _report_key_details(
    manifest: Manifest,
    spec: ConnectionTestSpec,
    connection: Connection,
    envelope: Mapping[str, Any],
) -> ConnectionReport:
    result = (envelope.get("json_body") or {}).get("result")
    enabled_apis = result.get("enabledApis") if isinstance(result, Mapping) else None
    if not isinstance(enabled_apis, list) or not all(isinstance(n, str) for n in enabled_apis):
        return ConnectionReport(
            status=STATUS_SERVICE_FAILURE,
            message=(
                f"{spec.jsonrpc_method} answered without an enabledApis list of names, so the "
                "key's API areas are unknown. Check that url is the GravityZone API access URL"
            ),
            access_url=connection.access_url,
            checks=_checks_with_response(connection, url_works=False, api_key=NOT_CHECKED),
            reason_code="unexpected_result",
            envelope=envelope,
        )

    enabled = {name.lower() for name in enabled_apis}
    runnable: list[str] = []
    blocked: list[BlockedAction] = []
    for action in manifest.actions.values():
        needed = spec.enabled_api_names.get(action.api_area)
        if action.api_area == GENERAL_API_AREA or (needed and needed.lower() in enabled):
            runnable.append(action.name)
        else:
            blocked.append(BlockedAction(action.name, action.api_area))

    created_at = result.get("createdAt")
    return ConnectionReport(
        status=STATUS_MISSING_API_AREAS if blocked else STATUS_OK,
        message=_access_message(blocked, len(manifest.actions)),
        access_url=connection.access_url,
        checks=_checks_with_response(connection, url_works=True, api_key=ACCEPTED),
        enabled_apis=tuple(enabled_apis),
        key_created_at=created_at if isinstance(created_at, str) else None,
        runnable_actions=tuple(runnable),
        blocked_actions=tuple(blocked),
    )


def _access_message(blocked: list[BlockedAction], action_count: int) -> str:
    if not blocked:
        return f"GravityZone accepted the API key, and all {action_count} actions can run."
    areas = sorted({item.api_area for item in blocked})
    area_text = f"{' and '.join(areas)} {'API is' if len(areas) == 1 else 'APIs are'}"
    return (
        f"GravityZone accepted the API key, but {len(blocked)} of {action_count} actions will "
        f"fail with HTTP 403 until the {area_text} enabled for this key in {KEY_SETTINGS_HINT}."
    )


def _checks_with_response(connection: Connection, url_works: bool, api_key: str) -> dict[str, str]:
    """Return the checks when an HTTP response arrived, so TLS and the proxy worked."""
    return {
        "access_url": OK if url_works else FAILED,
        "tls": _tls_when_connected(connection),
        "proxy": OK if connection.http_proxy else NOT_USED,
        "api_key": api_key,
    }


def _checks_without_response(connection: Connection, reason_code: str) -> dict[str, str]:
    """Return the checks when no response arrived, from the transport's reason code."""
    uses_tls = urlsplit(connection.access_url).scheme == "https"
    checks = {
        "access_url": NOT_CHECKED,
        "tls": NOT_CHECKED if uses_tls else NOT_USED,
        "proxy": NOT_CHECKED if connection.http_proxy else NOT_USED,
        "api_key": NOT_CHECKED,
    }
    if reason_code == "tls_error":
        checks["tls"] = FAILED
    elif reason_code == "proxy_error":
        checks["proxy"] = FAILED
    else:
        checks["access_url"] = FAILED
    if reason_code == "read_timeout":
        # The request was sent before the timeout, so the proxy and the TLS handshake worked.
        checks["tls"] = _tls_when_connected(connection)
        checks["proxy"] = OK if connection.http_proxy else NOT_USED
    return checks


def _tls_when_connected(connection: Connection) -> str:
    if urlsplit(connection.access_url).scheme != "https":
        return NOT_USED
    return OK if connection.verify_ssl else NOT_VERIFIED


def format_summary(report: ConnectionReport) -> str:
    """Return a readable summary of the report, for stderr."""
    labels = {"access_url": "access URL", "tls": "TLS", "proxy": "proxy", "api_key": "API key"}
    lines = [f"Connection test of {report.access_url}: {report.status}"]
    for name, label in labels.items():
        value = report.checks.get(name, NOT_CHECKED).replace("_", " ")
        lines.append(f"  {label:<11} {value}")
    if report.status in (STATUS_OK, STATUS_MISSING_API_AREAS):
        lines.append(f"  {'created':<11} {report.key_created_at or 'unknown'} (UTC)")
        lines.append(f"  {'enabled':<11} {', '.join(report.enabled_apis) or 'no API areas'}")
        runnable = ", ".join(report.runnable_actions) or "none"
        lines.append(f"Actions this key can run ({len(report.runnable_actions)}): {runnable}")
    if report.blocked_actions:
        lines.append(f"Actions that will fail with HTTP 403 ({len(report.blocked_actions)}):")
        lines.extend(
            f"  {blocked.action}: enable {blocked.api_area}" for blocked in report.blocked_actions
        )
    lines.append(report.message)
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the test-connection options: --config and the retry and rate-limit options."""
    from .cli import add_call_arguments, add_config_argument

    add_config_argument(parser)
    add_call_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Run the connection test, print the report as JSON and a summary on stderr."""
    from .cli import connector_from_args, print_json

    manifest = load_manifest(Path(args.manifest) if args.manifest else None)
    with connector_from_args(args, manifest) as connector:
        report = connector.test_connection()
    print(format_summary(report), file=sys.stderr)
    print_json(report.to_dict())
    return report.exit_code
