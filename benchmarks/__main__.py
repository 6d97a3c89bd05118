"""Run every benchmark, print the report and write it to BENCHMARKS.md at the repository root.

``python -m benchmarks`` takes under a minute on a 2-core machine. ``--quick`` runs tiny
counts and only prints, unless ``--output`` is also given.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

from .cold_start import run_cold_start
from .machine import describe_machine
from .per_call import run_per_call
from .prepare import run_prepare
from .profiles import profile_call, profile_cold_start
from .report import render_report
from .stats import BenchmarkResult
from .under_load import run_under_load

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPOSITORY_ROOT / "BENCHMARKS.md"
# Proxy variables that requests reads. They are removed so that no call to 127.0.0.1 goes
# through a proxy on another host.
PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


def full_benchmarks() -> list[Callable[[], BenchmarkResult]]:
    """Return the benchmarks with the counts that BENCHMARKS.md reports."""
    return [
        lambda: run_per_call(calls=3000, batch_size=10, warmup=300),
        lambda: run_prepare(calls=500, rounds=7),
        lambda: run_cold_start(runs=20, warmup=2, empty_cache_runs=5),
        lambda: run_under_load(calls=5000, threads=8, chunk=1000),
    ]


def quick_benchmarks() -> list[Callable[[], BenchmarkResult]]:
    """Return the benchmarks with tiny counts, for trying the suite; the figures mean little."""
    return [
        lambda: run_per_call(calls=200, batch_size=20, warmup=20),
        lambda: run_prepare(calls=20, rounds=3),
        lambda: run_cold_start(runs=2, warmup=1, empty_cache_runs=1),
        lambda: run_under_load(calls=400, threads=8, chunk=100),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks; return 1 with ``--strict`` when a budget is missed, else 0."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="tiny counts; print only, unless --output is given"
    )
    parser.add_argument(
        "--output",
        type=Path,
        help=f"where to write the report (default: {DEFAULT_OUTPUT.name} at the repository "
        "root, or nowhere with --quick)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a budget is missed"
    )
    args = parser.parse_args(argv)

    for name in PROXY_VARIABLES:
        os.environ.pop(name, None)
    # Calls to the loopback server use plain http, which the connector warns about once.
    logging.getLogger("bitdefender_connector").setLevel(logging.ERROR)

    machine = describe_machine()
    results = []
    for benchmark in quick_benchmarks() if args.quick else full_benchmarks():
        result = benchmark()
        print(f"{result.title}: done", file=sys.stderr, flush=True)
        results.append(result)
    profiles = [profile_cold_start(), profile_call(calls=200 if args.quick else 2000)]

    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    report = render_report(machine, results, profiles, generated)
    print(report)
    output = args.output or (None if args.quick else DEFAULT_OUTPUT)
    if output is not None:
        output.write_text(report, encoding="utf-8")
        print(f"Wrote {output}", file=sys.stderr)

    missed = [figure for result in results for figure in result.missed]
    if missed:
        print(f"{len(missed)} budget(s) missed", file=sys.stderr)
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    raise SystemExit(main())
