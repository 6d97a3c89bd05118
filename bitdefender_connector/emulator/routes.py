"""The URL paths the emulator serves and the API area each one belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from .state import COMPUTERS, EXCHANGE

JSONRPC_PREFIX = "/api/v1.0/jsonrpc/"
CONTROL_PATH = "/api/emulator/control"


@dataclass(frozen=True)
class Route:
    """A JSON-RPC route: its name after `v1.0/jsonrpc/`, its API area and quarantine service."""

    name: str
    area: str
    quarantine_service: str | None = None

    @property
    def path(self) -> str:
        """The URL path of the route."""
        return JSONRPC_PREFIX + self.name


INCIDENTS = Route("incidents", "incidents")
QUARANTINE = Route("quarantine", "quarantine", COMPUTERS)
QUARANTINE_COMPUTERS = Route("quarantine/computers", "quarantine", COMPUTERS)
QUARANTINE_EXCHANGE = Route("quarantine/exchange", "quarantine", EXCHANGE)
GENERAL = Route("general", "general")

ROUTES = {
    route.path: route
    for route in (INCIDENTS, QUARANTINE, QUARANTINE_COMPUTERS, QUARANTINE_EXCHANGE, GENERAL)
}


def find_route(path: str) -> Route | None:
    """Return the route of a request path (its query string ignored), or None."""
    return ROUTES.get(path.split("?", 1)[0])


def is_control_path(path: str) -> bool:
    """Return True for the emulator's control route."""
    return path.split("?", 1)[0] == CONTROL_PATH
