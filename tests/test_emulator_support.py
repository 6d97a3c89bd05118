"""Helpers for the emulator tests: a JSON-RPC client built on requests, and a fake clock.

This module has no tests. The emulator test modules import it.
"""

from __future__ import annotations

from typing import Any

import requests

from bitdefender_connector.emulator import Emulator

INCIDENTS = "v1.0/jsonrpc/incidents"
QUARANTINE = "v1.0/jsonrpc/quarantine"
COMPUTERS = "v1.0/jsonrpc/quarantine/computers"
EXCHANGE = "v1.0/jsonrpc/quarantine/exchange"
GENERAL = "v1.0/jsonrpc/general"
CONTROL = "emulator/control"

REQUEST_ID = "req-1"


class FakeClock:
    """A clock for the rate limiter that moves only when a test advances it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def envelope(method: str, params: Any = None, request_id: Any = REQUEST_ID) -> dict[str, Any]:
    """Return a JSON-RPC 2.0 request object."""
    return {"id": request_id, "jsonrpc": "2.0", "method": method, "params": params or {}}


class EmulatorClient:
    """Plain requests calls to an emulator, authenticated with one API key."""

    def __init__(
        self, emulator: Emulator, api_key: str | None = None, verify: bool | str = True
    ) -> None:
        self.base_url = emulator.access_url
        self.session = requests.Session()
        self.session.auth = (api_key or emulator.api_key, "")
        # Passed on each request, because REQUESTS_CA_BUNDLE overrides Session.verify.
        self.verify = verify

    def url(self, route: str) -> str:
        return f"{self.base_url}/{route}"

    def post(self, route: str, body: Any, **kwargs: Any) -> requests.Response:
        """POST a JSON body to a route below the access URL."""
        options = {"timeout": 5, "verify": self.verify, **kwargs}
        return self.session.post(self.url(route), json=body, **options)

    def call(
        self, route: str, method: str, params: Any = None, request_id: Any = REQUEST_ID
    ) -> requests.Response:
        """POST one JSON-RPC call."""
        return self.post(route, envelope(method, params, request_id))

    def rpc(self, route: str, method: str, params: Any = None) -> dict[str, Any]:
        """POST one JSON-RPC call and return the decoded response body."""
        return self.call(route, method, params).json()

    def close(self) -> None:
        self.session.close()
