"""Per-call overhead: ``Connector.run`` next to a bare ``requests.Session`` call to the same server.

Both clients call a fast server in another process that sends the action's spec example output
for every request, so the server's time is small and the same for both. The bare call sends
the body and Authorization header that were built once before the loop, so it measures only
what ``requests`` itself costs. The difference per call is the connector's own work.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from bitdefender_connector import Connector
from bitdefender_connector.connection import connection_from_mapping
from bitdefender_connector.manifest import Action, load_manifest
from bitdefender_connector.request_builder import build_request

from .fast_server import FastServer
from .stats import BenchmarkResult, Budget, Figure, Summary, per_call_microseconds

ACTIONS = ("get_block_list_items", "isolate_host")
API_KEY = "benchmark-key-not-a-real-key"
OVERHEAD_BUDGET = Budget(150.0, "≤ 150 µs")
TIMEOUT = (10.0, 60.0)


@dataclass(frozen=True)
class PerCallSamples:
    """Microseconds per call of each batch, connector and bare, in the order they ran."""

    connector: list[float]
    bare: list[float]

    @property
    def overhead(self) -> list[float]:
        return [mine - floor for mine, floor in zip(self.connector, self.bare, strict=True)]

    @property
    def ratio(self) -> list[float]:
        return [mine / floor for mine, floor in zip(self.connector, self.bare, strict=True)]


def run_per_call(calls: int = 3000, batch_size: int = 10, warmup: int = 200) -> BenchmarkResult:
    """Measure both actions with ``calls`` calls per client, in interleaved batches."""
    batches = max(1, calls // batch_size)
    result = BenchmarkResult(
        title="Per-call overhead",
        method=(
            f"`Connector.run` and a bare `requests.Session.post` with a prebuilt body and "
            f"Authorization header call a fast server on 127.0.0.1, which runs in its own "
            f"process and sends the action's spec example output. After {warmup} warm-up "
            f"calls of each, {batches} batches of {batch_size} calls per client run "
            "interleaved, the order flipping every batch. Each batch gives microseconds per "
            "call. The overhead and the ratio compare each batch with the neighbouring batch "
            "of the other client. Rate limiting is off, and the connector's per-call INFO "
            "log lines are skipped, as in the CLI without -v."
        ),
    )
    for action_name in ACTIONS:
        samples = measure_action(action_name, batches, batch_size, warmup)
        result.figures += [
            Figure(f"{action_name}: Connector.run", "µs/call", Summary.of(samples.connector)),
            Figure(f"{action_name}: bare requests", "µs/call", Summary.of(samples.bare)),
            Figure(
                f"{action_name}: overhead", "µs/call", Summary.of(samples.overhead), OVERHEAD_BUDGET
            ),
            Figure(f"{action_name}: ratio", "×", Summary.of(samples.ratio)),
        ]
    return result


def measure_action(action_name: str, batches: int, batch_size: int, warmup: int) -> PerCallSamples:
    """Return the per-batch timings of the connector and the bare call for one action."""
    manifest = load_manifest()
    action = manifest.action(action_name)
    inputs = action.example_input
    expected_body = action.example_output["json_body"]
    path = urlsplit(build_request(action, inputs, _dry_connection()).url).path

    with FastServer({path: expected_body}) as server:
        settings = {"url": server.base_url, "username": API_KEY}
        with Connector(settings, manifest=manifest, rate_limiting=False) as connector:

            def connector_call() -> None:
                connector.run(action_name, inputs)

            with requests.Session() as session:
                bare_call = _bare_call(session, action, inputs, settings)
                _check_both(connector, action_name, inputs, bare_call, expected_body)
                _repeat(connector_call, warmup)
                _repeat(bare_call, warmup)
                return _interleave(connector_call, bare_call, batches, batch_size)


def _bare_call(
    session: requests.Session, action: Action, inputs: Any, settings: dict[str, str]
) -> Callable[[], requests.Response]:
    prepared = build_request(action, inputs, connection_from_mapping(settings))
    token = base64.b64encode(f"{API_KEY}:".encode()).decode("ascii")
    headers = {**prepared.headers, "Authorization": f"Basic {token}"}
    url, body = prepared.url, prepared.body

    def bare_call() -> requests.Response:
        # requests reads the whole body before returning, as the connector's transport does.
        return session.post(url, data=body, headers=headers, timeout=TIMEOUT)

    return bare_call


def _check_both(
    connector: Connector,
    action_name: str,
    inputs: Any,
    bare_call: Callable[[], requests.Response],
    expected_body: Any,
) -> None:
    """Make one call of each client and raise unless both got the expected response."""
    envelope = connector.run(action_name, inputs)
    if envelope["json_body"] != expected_body:
        raise RuntimeError(f"{action_name}: the connector got {envelope['json_body']!r}")
    response = bare_call()
    if response.status_code != 200 or response.json() != expected_body:
        raise RuntimeError(f"{action_name}: the bare call got HTTP {response.status_code}")


def _repeat(call: Callable[[], object], count: int) -> float:
    """Run ``call`` ``count`` times and return the elapsed seconds."""
    start = time.perf_counter()
    for _ in range(count):
        call()
    return time.perf_counter() - start


def _interleave(
    connector_call: Callable[[], object],
    bare_call: Callable[[], object],
    batches: int,
    batch_size: int,
) -> PerCallSamples:
    connector_samples: list[float] = []
    bare_samples: list[float] = []
    for batch in range(batches):
        # Flipping the order cancels a slow drift of the machine's speed between the two.
        if batch % 2 == 0:
            mine = _repeat(connector_call, batch_size)
            floor = _repeat(bare_call, batch_size)
        else:
            floor = _repeat(bare_call, batch_size)
            mine = _repeat(connector_call, batch_size)
        connector_samples.append(per_call_microseconds(mine, batch_size))
        bare_samples.append(per_call_microseconds(floor, batch_size))
    return PerCallSamples(connector_samples, bare_samples)


def _dry_connection() -> Any:
    return connection_from_mapping({}, require_api_key=False)
