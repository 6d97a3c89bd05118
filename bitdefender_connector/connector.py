"""The Connector: runs any manifest action against GravityZone, or describes it in a dry run."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .action_input import check_action_input, drop_empty_path_parameters
from .connection import Connection, connection_from_mapping, warn_once
from .conversion import convert_inputs
from .dry_run import describe_dry_run
from .errors import ActionFailedError
from .manifest import Action, Manifest, load_manifest
from .outcome import build_envelope, check_outcome
from .page_walker import check_page_options, walk_pages
from .rate_limiter import RateLimiter, shared_rate_limiter
from .redaction import redact_json, redact_text, secrets_of_call
from .request_builder import PreparedRequest, build_request
from .retry_policy import RetryPolicy
from .validation import collect_field_errors

if TYPE_CHECKING:  # requests is imported only when a call is really sent.
    from .connection_test import ConnectionReport
    from .transport import Transport

logger = logging.getLogger(__name__)


class Connector:
    """Runs GravityZone actions declared in the manifest.

    ``connection`` is a mapping with the fields ``url``, ``username`` (the API key),
    ``password``, ``verify_ssl``, ``ca_bundle`` and ``http_proxy``. A dry run needs neither
    the key nor the URL; a real call raises ConfigurationError when either is missing.
    One Connector may be shared between threads: it keeps one pooled HTTP session.
    """

    def __init__(
        self,
        connection: Mapping[str, Any] | None = None,
        *,
        manifest: Manifest | None = None,
        manifest_root: str | Path | None = None,
        retry_policy: RetryPolicy | None = None,
        rate_limiting: bool = True,
        rate_limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.manifest = manifest or load_manifest(Path(manifest_root) if manifest_root else None)
        self.retry_policy = retry_policy or RetryPolicy(
            max_attempts=self.manifest.max_attempts, max_total_wait=self.manifest.max_retry_wait
        )
        if rate_limiting:
            rate_limiter = rate_limiter or shared_rate_limiter(self.manifest.rate_limit_classes)
        self._rate_limiter = rate_limiter if rate_limiting else None
        self._sleep = sleep
        self._limit_notes: dict[str, str] = {}
        # The current UTC time, for a Retry-After given as an HTTP date; injectable for tests.
        self._now = now
        self._settings = dict(connection or {})
        self._dry_run_connection = connection_from_mapping(self._settings, require_api_key=False)
        self._connection: Connection | None = None
        self._transport: Transport | None = None
        self._lock = threading.Lock()

    def action(self, action_id: str) -> Action:
        """Return the manifest action with this id or alias."""
        return self.manifest.action(action_id)

    def run(
        self,
        action_id: str,
        inputs: Mapping[str, Any],
        dry_run: bool = False,
        *,
        all_pages: bool = False,
        max_items: int | None = None,
    ) -> dict[str, Any]:
        """Run an action and return its envelope, or the dry-run request when ``dry_run``.

        With ``all_pages`` a list action requests every page and returns one envelope holding
        all items, at most ``max_items`` of them when that is given (see page_walker).

        Raises InputError or ConfigurationError before anything is sent, ActionFailedError
        (carrying the envelope) when the service returns a failure, and NoResponseError
        when no response arrives.
        """
        action = self.manifest.action(action_id)
        if all_pages or max_items is not None:
            check_page_options(action, all_pages, max_items)
            return walk_pages(self, action, inputs, dry_run=dry_run, max_items=max_items)
        return self.run_action(action, inputs, dry_run)

    def run_action(
        self, action: Action, inputs: Mapping[str, Any], dry_run: bool = False
    ) -> dict[str, Any]:
        """Run one request of ``action``, which may also be built outside the manifest.

        The connection test uses this to send getApiKeyDetails, which is not a manifest action.
        Returns and raises as run() does.
        """
        inputs = drop_empty_path_parameters(action, inputs)
        inputs, conversions = convert_inputs(inputs, action.conversion_plan)
        check_action_input(action, inputs)
        if dry_run:
            self._warn_missing_settings()
            prepared = build_request(action, inputs, self._dry_run_connection)
            return describe_dry_run(prepared, conversions)
        for conversion in conversions:
            logger.info("%s: %s", action.name, conversion)

        transport = self._get_transport()
        prepared = build_request(action, inputs, transport.connection)
        logger.info(
            "Running %s (JSON-RPC method %s, request id %s)",
            action.name,
            action.jsonrpc_method,
            prepared.request_id,
        )
        response = self._send(action, prepared, transport)
        envelope = build_envelope(
            response.status_code, response.reason, response.headers, response.content
        )
        try:
            check_outcome(action, prepared, envelope, response.content, self._limit_note(action))
        except ActionFailedError as error:
            raise _without_secrets(error, transport.connection, prepared) from None
        self._check_output(action, envelope, prepared.request_id)
        return envelope

    def test_connection(self) -> ConnectionReport:
        """Call getApiKeyDetails and report which actions the API key can run.

        Returns a report for every outcome, a missing response included. Raises
        ConfigurationError when the connection settings are invalid, because nothing is sent.
        """
        from .connection_test import check_connection

        return check_connection(self)

    @property
    def connection(self) -> Connection:
        """The normalised connection settings; ConfigurationError when they are invalid."""
        return self._get_transport().connection

    def close(self) -> None:
        """Close the pooled HTTP connections."""
        if self._transport is not None:
            self._transport.close()

    def __enter__(self) -> Connector:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _warn_missing_settings(self) -> None:
        """Say in a dry run what a real run would reject, since the dry run still proceeds."""
        if not self._settings.get("url"):
            warn_once(
                f"No url is configured: the dry run shows the default access URL "
                f"{self._dry_run_connection.access_url}"
            )
        if not self._dry_run_connection.api_key:
            warn_once("No API key is configured: a real run would be rejected before sending")

    def _get_transport(self) -> Transport:
        if self._transport is None:
            with self._lock:
                if self._transport is None:
                    from .transport import Transport

                    self._connection = connection_from_mapping(self._settings)
                    self._transport = Transport(
                        self._connection, self.manifest.connect_timeout, self.manifest.read_timeout
                    )
        return self._transport

    def _send(self, action: Action, prepared: PreparedRequest, transport: Transport) -> Any:
        """Send with the rate limiter and the retry policy; return the last response."""
        from .retry_policy import call_with_retries

        def attempt() -> Any:
            if self._rate_limiter is not None:
                self._rate_limiter.acquire(
                    action, transport.connection.api_key, prepared.request_id
                )
            return transport.send(prepared)

        return call_with_retries(
            self.retry_policy,
            action,
            prepared.request_id,
            attempt,
            sleep=self._sleep,
            now=self._now,
        )

    def _limit_note(self, action: Action) -> str:
        """Return the rate-limit hint of a 429 message, built once per action."""
        note = self._limit_notes.get(action.name)
        if note is None:
            limit = self.manifest.rate_limit_classes[action.rate_limit_class]
            note = (
                f" GravityZone allows {limit.requests} calls per {limit.period_seconds:g} s per "
                f"API key to the methods of rate-limit class {limit.name}, "
                f"{action.jsonrpc_method} among them"
            )
            self._limit_notes[action.name] = note
        return note

    def _check_output(self, action: Action, envelope: Mapping[str, Any], request_id: str) -> None:
        errors = collect_field_errors(action.output_validator, envelope)
        for error in errors[:5]:
            logger.warning(
                "%s (request id %s): the response does not match the output schema at %s: %s",
                action.name,
                request_id,
                error.path,
                error.message,
            )


def _without_secrets(
    error: ActionFailedError, connection: Connection, prepared: PreparedRequest
) -> ActionFailedError:
    """Return ``error`` with the call's secrets masked in its message and envelope.

    The message and the envelope quote the response, and a proxy's or server's error page may
    echo the credentials or the Exchange password it received.
    """
    secrets = secrets_of_call(
        connection.api_key, connection.password, prepared.json_body, prepared.action.secret_fields
    )
    message = redact_text(str(error), secrets)
    envelope = redact_json(error.envelope, secrets)
    if message == str(error) and envelope == error.envelope:
        return error
    return ActionFailedError(message, envelope, error.reason_code)
