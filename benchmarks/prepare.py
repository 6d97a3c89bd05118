"""Prepare cost: the in-process work of a dry run, per action, with the action's spec example."""

from __future__ import annotations

import time

from bitdefender_connector import Connector
from bitdefender_connector.manifest import load_manifest

from .stats import BenchmarkResult, Budget, Figure, Summary, per_call_microseconds

PREPARE_BUDGET = Budget(100.0, "≤ 100 µs")


def run_prepare(calls: int = 500, rounds: int = 7) -> BenchmarkResult:
    """Time ``rounds`` rounds of ``calls`` dry runs of every action, the actions interleaved."""
    manifest = load_manifest()
    connector = Connector({}, manifest=manifest, rate_limiting=False)
    names = list(manifest.actions)
    samples: dict[str, list[float]] = {name: [] for name in names}

    for name in names:
        # Warm-up, which also compiles the action's validity check once.
        for _ in range(max(1, calls // 10)):
            connector.run(name, manifest.actions[name].example_input, dry_run=True)
    for _ in range(rounds):
        for name in names:
            inputs = manifest.actions[name].example_input
            start = time.perf_counter()
            for _ in range(calls):
                connector.run(name, inputs, dry_run=True)
            samples[name].append(per_call_microseconds(time.perf_counter() - start, calls))

    result = BenchmarkResult(
        title="Prepare cost",
        method=(
            "`Connector.run(action, example, dry_run=True)` for every action with the input "
            "example from its manifest file: string conversion, input validation, the "
            "JSON-RPC body, the rendered URL and the masked dry-run output, with no network. "
            f"{rounds} rounds of {calls} calls per action, the actions interleaved within a "
            "round, after a warm-up. Each round gives microseconds per call."
        ),
    )
    result.figures = [
        Figure(name, "µs/call", Summary.of(samples[name]), PREPARE_BUDGET) for name in names
    ]
    return result
