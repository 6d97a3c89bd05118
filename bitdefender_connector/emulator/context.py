"""The call details that a method handler receives besides its params."""

from __future__ import annotations

from dataclasses import dataclass

from .api_keys import ApiKey


@dataclass(frozen=True)
class CallContext:
    """The caller's API key and the quarantine service of the route (None outside quarantine).

    The bare quarantine route has the computers service, because it serves only
    createAddFileToQuarantineTask, which quarantines files on computers.
    """

    api_key: ApiKey
    quarantine_service: str | None = None
