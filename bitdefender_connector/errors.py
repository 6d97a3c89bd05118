"""Exception types and the CLI exit code each one maps to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Exit codes of the command line, documented in the README.
EXIT_SUCCESS = 0
EXIT_SERVICE_FAILURE = 1
EXIT_INVALID = 2
EXIT_NO_RESPONSE = 3


class ConnectorError(Exception):
    """Base class of every error the connector raises on purpose."""

    exit_code = EXIT_INVALID
    error_type = "error"

    def to_dict(self) -> dict[str, Any]:
        """Return the error as the JSON object the CLI prints."""
        return {"error": {"type": self.error_type, "message": str(self)}}


class ManifestError(ConnectorError):
    """A manifest file is missing, unreadable or breaks the meta-schema."""

    error_type = "invalid_manifest"


class ConfigurationError(ConnectorError):
    """The connection settings are missing or invalid. Nothing was sent."""

    error_type = "invalid_configuration"


class UnknownActionError(ConnectorError):
    """The requested action id is not in the manifest."""

    error_type = "unknown_action"


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field."""

    path: str
    rule: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "rule": self.rule, "message": self.message}


class InputError(ConnectorError):
    """The action input breaks the action's input schema. Nothing was sent."""

    error_type = "invalid_input"

    def __init__(self, action: str, errors: list[FieldError]) -> None:
        self.action = action
        self.errors = errors
        lines = [f"{error.path}: {error.message}" for error in errors]
        super().__init__(f"Invalid input for action {action}: " + "; ".join(lines))

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["error"]["action"] = self.action
        data["error"]["fields"] = [error.to_dict() for error in self.errors]
        return data


class ActionFailedError(ConnectorError):
    """The service sent a response, but the action did not succeed.

    ``envelope`` is the full response envelope, so that callers can still read the status,
    headers and body.
    """

    exit_code = EXIT_SERVICE_FAILURE
    error_type = "action_failed"

    def __init__(self, message: str, envelope: Mapping[str, Any], reason_code: str) -> None:
        super().__init__(message)
        self.envelope = dict(envelope)
        self.reason_code = reason_code

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["error"]["reason_code"] = self.reason_code
        return data


class NoResponseError(ConnectorError):
    """No HTTP response arrived: connection, DNS, TLS, proxy or timeout failure."""

    exit_code = EXIT_NO_RESPONSE
    error_type = "no_response"

    def __init__(self, message: str, reason_code: str) -> None:
        super().__init__(message)
        self.reason_code = reason_code

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["error"]["reason_code"] = self.reason_code
        return data
