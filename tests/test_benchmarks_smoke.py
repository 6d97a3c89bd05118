"""Smoke tests of the benchmark suite: every benchmark runs with tiny counts.

No test checks a time: CI machines are shared and noisy. They check that each benchmark
still runs end to end and reports every figure, so that ``make bench`` cannot rot, and that a
dry-run process still leaves out the modules it does not need.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from benchmarks import __main__ as bench_main
from benchmarks.cold_start import run_cold_start
from benchmarks.per_call import ACTIONS as PER_CALL_ACTIONS
from benchmarks.per_call import run_per_call
from benchmarks.prepare import run_prepare
from benchmarks.profiles import profile_call, profile_cold_start
from benchmarks.stats import BenchmarkResult, Summary
from benchmarks.under_load import run_under_load
from bitdefender_connector.manifest import load_manifest
from bitdefender_connector.manifest_cache import CACHE_DIR_VARIABLE

from .conftest import PROXY_ENVIRONMENT_VARIABLES


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def restored_log_level() -> Iterator[None]:
    """Restore the package logger's level, which benchmarks.__main__ raises to ERROR."""
    logger = logging.getLogger("bitdefender_connector")
    level = logger.level
    yield
    # setLevel, not an attribute change, so the cached levels of child loggers are cleared.
    logger.setLevel(level)


def figure_names(result: BenchmarkResult) -> list[str]:
    return [figure.name for figure in result.figures]


def test_per_call_reports_both_actions():
    result = run_per_call(calls=20, batch_size=10, warmup=2)

    for action in PER_CALL_ACTIONS:
        assert f"{action}: overhead" in figure_names(result)
        assert f"{action}: ratio" in figure_names(result)
    assert all(figure.summary.count == 2 for figure in result.figures)


def test_prepare_reports_every_action():
    result = run_prepare(calls=2, rounds=2)

    assert figure_names(result) == list(load_manifest().actions)
    assert all(figure.budget is not None for figure in result.figures)


def test_cold_start_reports_ratio():
    result = run_cold_start(runs=1, warmup=0, empty_cache_runs=1)

    assert "ratio connector / import-only" in figure_names(result)
    assert "difference connector − import-only" in figure_names(result)
    assert len(result.figures) == 5


def test_under_load_counts_no_errors():
    result = run_under_load(calls=48, threads=8, chunk=16)
    figures = {figure.name: figure for figure in result.figures}

    assert figures["errors"].summary.median == 0
    assert figures["calls per second"].summary.count == 3
    assert result.notes == []


def test_profiles_name_their_steps():
    cold_start = profile_cold_start()
    call = profile_call(calls=5)

    assert cold_start.headline
    assert call.headline
    assert [row.label for row in cold_start.rows][0] == "imports"
    assert call.total > 0


def test_main_writes_report(tmp_path, monkeypatch, restored_log_level):
    tiny = BenchmarkResult("Tiny", "One fixed figure.")
    monkeypatch.setattr(bench_main, "quick_benchmarks", lambda: [lambda: tiny])
    monkeypatch.setattr(bench_main, "profile_call", lambda calls: profile_call(calls=2))
    output = tmp_path / "BENCHMARKS.md"

    status = bench_main.main(["--quick", "--output", str(output)])

    text = output.read_text(encoding="utf-8")
    assert status == 0
    assert text.startswith("# Benchmarks")
    assert "## Machine" in text
    assert "## 1. Tiny" in text
    assert "## Where the time goes" in text


def test_summary_of_samples():
    summary = Summary.of([3.0, 1.0, 2.0, 10.0])

    assert summary.median == 2.5
    assert summary.minimum == 1.0
    assert summary.maximum == 10.0
    assert summary.count == 4


def test_dry_run_process_skips_unneeded_imports(tmp_path):
    example = json.dumps(load_manifest().action("get_rules").example_input)
    argv = ["run", "get_rules", "--dry-run", "--input", example]
    code = (
        "import json, sys\n"
        "from bitdefender_connector.cli import main\n"
        f"status = main({argv!r})\n"
        "modules = ['requests', 'tenacity', 'jinja2', 'bitdefender_connector.emulator']\n"
        "loaded = [name for name in modules if name in sys.modules]\n"
        "print(json.dumps({'status': status, 'loaded': loaded}), file=sys.stderr)\n"
    )
    environment = {**os.environ, CACHE_DIR_VARIABLE: str(tmp_path / "cache")}

    completed = subprocess.run(  # noqa: S603 - runs this interpreter with the code above
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=environment,
    )

    report = json.loads(completed.stderr.strip().splitlines()[-1])
    assert report["status"] == 0
    assert report["loaded"] == []
