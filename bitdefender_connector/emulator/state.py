"""In-memory GravityZone data that the emulator's methods read and change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
COMPUTERS = "computers"
EXCHANGE = "exchange"
QUARANTINE_SERVICES = (COMPUTERS, EXCHANGE)

DETECTION_RULE = 1
EXCLUSION_RULE = 2

# Blocklist hash types and sources, as getBlocklistItems numbers them.
SHA256 = 1
MD5 = 2
SOURCE_INCIDENT = 1
SOURCE_IMPORT = 2
SOURCE_MANUAL = 3

# Quarantine actionStatus values.
ACTION_NONE = 0
ACTION_PENDING_REMOVE = 1
ACTION_PENDING_RESTORE = 2


def format_date(value: datetime) -> str:
    """Format a naive UTC datetime the way GravityZone returns dates: no offset, no fraction."""
    return value.strftime(DATE_FORMAT)


class ObjectIdGenerator:
    """Deterministic 24-hex IDs for objects that the emulator creates.

    IDs are a fixed 8-hex prefix (read as an ObjectId timestamp, it is in May 2024) followed by a
    16-hex counter, so the first ID is 6650a1c00000000000000001.
    """

    def __init__(self, prefix: str = "6650a1c0", first: int = 1) -> None:
        self.prefix = prefix
        self._next = first

    def next_id(self) -> str:
        """Return the next unused ID."""
        value = f"{self.prefix}{self._next:016x}"
        self._next += 1
        return value


@dataclass
class Company:
    """A company in the Control Center tree."""

    id: str
    name: str


@dataclass
class Endpoint:
    """A managed endpoint; `isolated` follows the isolate and restore tasks."""

    id: str
    name: str
    ip: str
    company_id: str
    isolated: bool = False


@dataclass
class QuarantineItem:
    """A file or e-mail item in the quarantine of the computers or the exchange service."""

    id: str
    service: str
    endpoint_id: str
    endpoint_name: str
    endpoint_ip: str
    company_id: str
    quarantined_on: datetime
    action_status: int
    threat_name: str
    file_path: str
    can_be_restored: bool = True
    can_be_removed: bool = True

    def to_api(self) -> dict[str, Any]:
        """Return the item as getQuarantineItemsList lists it."""
        return {
            "id": self.id,
            "quarantinedOn": format_date(self.quarantined_on),
            "actionStatus": self.action_status,
            "companyId": self.company_id,
            "endpointId": self.endpoint_id,
            "endpointName": self.endpoint_name,
            "endpointIP": self.endpoint_ip,
            "canBeRestored": self.can_be_restored,
            "canBeRemoved": self.can_be_removed,
            "threatName": self.threat_name,
            "details": {"filePath": self.file_path},
        }


@dataclass
class BlocklistItem:
    """A hash on the blocklist. `company_id` and `filename` are left out of the API when None."""

    id: str
    hash_type: int
    hash: str
    source: int
    source_info: str
    company_id: str | None = None
    filename: str | None = None

    def to_api(self) -> dict[str, Any]:
        """Return the item as getBlocklistItems lists it."""
        item: dict[str, Any] = {}
        if self.company_id is not None:
            item["companyId"] = self.company_id
        if self.filename is not None:
            item["filename"] = self.filename
        item.update(
            {
                "hash": self.hash,
                "hashType": self.hash_type,
                "id": self.id,
                "source": self.source,
                "sourceInfo": self.source_info,
            }
        )
        return item


@dataclass
class CustomRule:
    """A custom detection (type 1) or exclusion (type 2) rule."""

    id: str
    type: int
    name: str
    owner: str
    company_id: str
    settings: dict[str, Any]
    tags: list[str] = field(default_factory=list)
    description: str | None = None

    def to_api(self) -> dict[str, Any]:
        """Return the rule as getCustomRulesList lists it (no `description` key when unset)."""
        item: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "owner": self.owner,
            "companyId": self.company_id,
            "status": self.settings["status"],
            "tags": list(self.tags),
            "settings": _copy_settings(self.settings),
        }
        if self.description is not None:
            item["description"] = self.description
        return item


def _copy_settings(settings: dict[str, Any]) -> dict[str, Any]:
    copied = dict(settings)
    copied["criteriaList"] = [dict(criterion) for criterion in settings["criteriaList"]]
    return copied


@dataclass
class EmulatorState:
    """Everything the emulated Control Center stores, keyed by ID in insertion order.

    `quarantine_items` maps a service name (computers or exchange) to that service's items.
    `next_quarantine_time` is the quarantinedOn date of the next item that a task adds.
    """

    default_company_id: str
    owner_id: str
    companies: dict[str, Company] = field(default_factory=dict)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    quarantine_items: dict[str, dict[str, QuarantineItem]] = field(
        default_factory=lambda: {service: {} for service in QUARANTINE_SERVICES}
    )
    blocklist: dict[str, BlocklistItem] = field(default_factory=dict)
    custom_rules: dict[str, CustomRule] = field(default_factory=dict)
    ids: ObjectIdGenerator = field(default_factory=ObjectIdGenerator)
    next_quarantine_time: datetime = datetime(2024, 5, 1, 12, 0, 0)

    def take_quarantine_time(self) -> datetime:
        """Return the date for a newly quarantined item; each call is one second later."""
        value = self.next_quarantine_time
        self.next_quarantine_time = value + timedelta(seconds=1)
        return value
