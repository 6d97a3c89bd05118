"""The general area's getApiKeyDetails method."""

from __future__ import annotations

from typing import Any

from .context import CallContext
from .params import ParamReader
from .state import EmulatorState


def get_api_key_details(
    state: EmulatorState, params: dict[str, Any], context: CallContext
) -> dict[str, Any]:
    """Return the caller's enabled API areas and the key's creation date (UTC, no offset)."""
    ParamReader(params, ())
    return {
        "enabledApis": context.api_key.enabled_apis(),
        "createdAt": context.api_key.created_at,
    }
