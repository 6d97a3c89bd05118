"""The `filters` object of getQuarantineItemsList, whose filters an item must all match."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from .jsonrpc import InvalidParams
from .params import ParamReader
from .state import QuarantineItem

FILTER_NAMES = ("threatName", "startDate", "endDate", "filePath", "ip", "actionStatus")
# actionStatus codes: 0 none, 1 pending remove, 2 pending restore, 3 remove failed,
# 4 restore failed, 16 pending save, 17 failed save.
ACTION_STATUSES = (0, 1, 2, 3, 4, 16, 17)
ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})?")


def _parse_date(reader: ParamReader, key: str) -> datetime | None:
    text = reader.optional_string(key)
    if text is None:
        return None
    if ISO_DATE_TIME.fullmatch(text) is None:
        raise InvalidParams(
            f"'{reader.name(key)}' must be an ISO 8601 date and time such as "
            f"2019-07-28T11:31:28, got {text!r}."
        )
    normalized = text[:-1] + "+00:00" if text.endswith("Z") else text
    try:
        value = datetime.fromisoformat(normalized)
    except ValueError as error:
        raise InvalidParams(f"'{reader.name(key)}' is not a valid date: {error}.") from None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _text_pattern(text: str | None) -> re.Pattern[str] | None:
    """Compile a case-insensitive substring match in which `*` matches any characters."""
    if text is None:
        return None
    parts = [re.escape(part) for part in text.split("*")]
    return re.compile(".*".join(parts), re.IGNORECASE)


@dataclass(frozen=True)
class QuarantineFilters:
    """Parsed filters, where None means that the filter is not given. Dates are naive UTC."""

    threat_name: re.Pattern[str] | None = None
    file_path: re.Pattern[str] | None = None
    ip: re.Pattern[str] | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    action_status: int | None = None

    def matches(self, item: QuarantineItem) -> bool:
        """Return True when the item matches every given filter (date bounds are inclusive)."""
        text_checks = (
            (self.threat_name, item.threat_name),
            (self.file_path, item.file_path),
            (self.ip, item.endpoint_ip),
        )
        for pattern, value in text_checks:
            if pattern is not None and pattern.search(value) is None:
                return False
        if self.start_date is not None and item.quarantined_on < self.start_date:
            return False
        if self.end_date is not None and item.quarantined_on > self.end_date:
            return False
        return self.action_status is None or item.action_status == self.action_status


def read_filters(reader: ParamReader) -> QuarantineFilters:
    """Return the filters of the params, or no filters when `filters` is absent."""
    filters = reader.optional_nested("filters", FILTER_NAMES)
    if filters is None:
        return QuarantineFilters()

    action_status = None
    if filters.has("actionStatus"):
        action_status = filters.integer("actionStatus", choices=ACTION_STATUSES)
    return QuarantineFilters(
        threat_name=_text_pattern(filters.optional_string("threatName")),
        file_path=_text_pattern(filters.optional_string("filePath")),
        ip=_text_pattern(filters.optional_string("ip")),
        start_date=_parse_date(filters, "startDate"),
        end_date=_parse_date(filters, "endDate"),
        action_status=action_status,
    )
