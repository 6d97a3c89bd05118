"""Cold start: a whole ``bitdefender-connector run get_rules --dry-run`` process.

It is compared with a process of the same interpreter that only imports the libraries the
connector is built on, which is the least a connector process can cost.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from bitdefender_connector.manifest import load_manifest
from bitdefender_connector.manifest_cache import CACHE_DIR_VARIABLE

from .stats import BenchmarkResult, Budget, Figure, Summary

ACTION = "get_rules"
IMPORT_ONLY_CODE = "import requests, jsonschema, yaml, jinja2"
RATIO_BUDGET = Budget(1.25, "≤ 1.25×")
PROCESS_TIMEOUT_SECONDS = 60


def connector_command(input_file: Path) -> list[str]:
    """Return the dry-run command, through the console script when the venv has one."""
    script = Path(sys.executable).with_name("bitdefender-connector")
    program = [str(script)] if script.is_file() else [sys.executable, "-m", "bitdefender_connector"]
    return [*program, "run", ACTION, "--dry-run", "--input", f"@{input_file}"]


def import_only_command() -> list[str]:
    return [sys.executable, "-c", IMPORT_ONLY_CODE]


def run_cold_start(runs: int = 20, warmup: int = 2, empty_cache_runs: int = 5) -> BenchmarkResult:
    """Time ``runs`` processes of each kind, interleaved, after ``warmup`` runs of each."""
    with tempfile.TemporaryDirectory(prefix="bitdefender-bench-") as folder:
        input_file = Path(folder) / "input.json"
        input_file.write_text(json.dumps(load_manifest().action(ACTION).example_input))
        cache_dir = Path(folder) / "cache"
        environment = {**os.environ, CACHE_DIR_VARIABLE: str(cache_dir)}
        connector = connector_command(input_file)
        baseline = import_only_command()

        for _ in range(warmup):
            time_process(connector, environment, check_dry_run=True)
            time_process(baseline, environment)
        connector_ms: list[float] = []
        baseline_ms: list[float] = []
        for index in range(runs):
            # Flipping the order cancels a slow drift of the machine's speed between the two.
            pair = [(connector, connector_ms, True), (baseline, baseline_ms, False)]
            for command, samples, is_dry_run in pair if index % 2 == 0 else reversed(pair):
                samples.append(time_process(command, environment, check_dry_run=is_dry_run))

        empty_cache_ms = []
        for index in range(empty_cache_runs):
            fresh = {**environment, CACHE_DIR_VARIABLE: str(Path(folder) / f"empty-{index}")}
            empty_cache_ms.append(time_process(connector, fresh, check_dry_run=True))

    ratios = [mine / floor for mine, floor in zip(connector_ms, baseline_ms, strict=True)]
    differences = [mine - floor for mine, floor in zip(connector_ms, baseline_ms, strict=True)]
    result = BenchmarkResult(
        title="Cold start",
        method=(
            f"A whole process of `{_shown(connector)}`, with the action's spec example in the "
            f"input file, next to `{_shown(baseline)}`. Both use the same interpreter and "
            f"environment. {warmup} warm-up run(s) of each also fill the manifest cache. Then "
            f"{runs} runs of each alternate, the order flipping every pair. Times are "
            "wall-clock from start to exit, fork and exec included. The ratio and the "
            "difference are taken within each pair. The last row starts each process with an "
            "empty manifest cache, as the first run after an install or a manifest change does."
        ),
    )
    result.figures = [
        Figure("connector dry-run process", "ms", Summary.of(connector_ms)),
        Figure("import-only process", "ms", Summary.of(baseline_ms)),
        Figure("ratio connector / import-only", "×", Summary.of(ratios), RATIO_BUDGET),
        Figure("difference connector − import-only", "ms", Summary.of(differences)),
        Figure("connector dry-run, empty manifest cache", "ms", Summary.of(empty_cache_ms)),
    ]
    return result


def time_process(
    command: Sequence[str], environment: Mapping[str, str], check_dry_run: bool = False
) -> float:
    """Run ``command`` and return its wall-clock milliseconds; raise if it fails."""
    start = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 - fixed commands built above
        command,
        env=dict(environment),
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT_SECONDS,
        check=False,
    )
    elapsed_ms = (time.perf_counter() - start) * 1000
    if completed.returncode != 0:
        raise RuntimeError(
            f"{_shown(command)} exited with {completed.returncode}: {completed.stderr[-2000:]}"
        )
    if check_dry_run and json.loads(completed.stdout).get("dry_run") is not True:
        raise RuntimeError(f"{_shown(command)} printed no dry-run request: {completed.stdout!r}")
    return elapsed_ms


def _shown(command: Sequence[str]) -> str:
    """Return the command as a reader would type it, without the venv and temporary paths."""
    words = []
    for word in command:
        path = Path(word.lstrip("@"))
        if word == sys.executable:
            words.append("python")
        elif path.is_absolute():
            words.append(("@" if word.startswith("@") else "") + path.name)
        else:
            words.append(shlex.quote(word))
    return " ".join(words)
