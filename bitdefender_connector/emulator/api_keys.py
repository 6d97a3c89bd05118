"""API keys the emulator accepts, with the API areas enabled on each."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Areas whose JSON-RPC routes the emulator serves.
EMULATED_AREAS = frozenset({"incidents", "quarantine", "general"})

# Areas of the Control Center "API keys" checklist. The emulator serves none of their methods
# except incidents and quarantine, but a key may list them so that getApiKeyDetails shows them.
CHECKLIST_AREAS = frozenset(
    {
        "accounts",
        "companies",
        "incidents",
        "integrations",
        "licensing",
        "network",
        "packages",
        "policies",
        "push",
        "quarantine",
        "reports",
    }
)

# The general area (getApiKeyDetails) is not on the checklist, and Bitdefender's documented
# getApiKeyDetails example returns details for a key without it, so every key may call it.
ALWAYS_ENABLED_AREAS = frozenset({"general"})
KNOWN_AREAS = CHECKLIST_AREAS | ALWAYS_ENABLED_AREAS
DEFAULT_KEY_CREATED_AT = "2024-01-15T09:30:00"


@dataclass(frozen=True)
class ApiKey:
    """An accepted API key: its areas, its company and its creation date (UTC)."""

    key: str
    areas: frozenset[str]
    company_id: str
    created_at: str = DEFAULT_KEY_CREATED_AT

    def allows(self, area: str) -> bool:
        """Return True when the key may call methods of `area`."""
        return area in ALWAYS_ENABLED_AREAS or area in self.areas

    def enabled_apis(self) -> list[str]:
        """Return the checklist areas of the key, sorted, as getApiKeyDetails lists them."""
        return sorted(self.areas & CHECKLIST_AREAS)


def generate_api_key() -> str:
    """Return a new random 64-hex-character API key."""
    return secrets.token_hex(32)


def validate_areas(areas: Iterable[str]) -> frozenset[str]:
    """Return the areas as a frozenset, raising ValueError for a name the emulator does not know."""
    area_set = frozenset(areas)
    unknown = sorted(area_set - KNOWN_AREAS)
    if unknown:
        raise ValueError(
            f"Unknown API area {unknown[0]!r}. Known areas: {', '.join(sorted(KNOWN_AREAS))}."
        )
    return area_set


class ApiKeyStore:
    """Thread-safe map from API key to ApiKey."""

    def __init__(self, company_id: str) -> None:
        self._company_id = company_id
        self._keys: dict[str, ApiKey] = {}
        self._lock = threading.Lock()

    def add(self, key: str, areas: Iterable[str]) -> ApiKey:
        """Add or replace a key with the given areas."""
        if not isinstance(key, str) or not key or ":" in key:
            raise ValueError("An API key must be a non-empty string without ':'.")
        api_key = ApiKey(key, validate_areas(areas), self._company_id)
        with self._lock:
            self._keys[key] = api_key
        return api_key

    def add_all(self, keys: Mapping[str, Iterable[str]]) -> None:
        """Add every key of a key-to-areas mapping."""
        for key, areas in keys.items():
            self.add(key, areas)

    def find(self, key: str) -> ApiKey | None:
        """Return the ApiKey for `key`, or None when the key is unknown."""
        with self._lock:
            return self._keys.get(key)

    def first_key(self) -> str:
        """Return the key added first."""
        with self._lock:
            return next(iter(self._keys))
