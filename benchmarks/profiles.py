"""cProfile runs that show where a dry-run process and a sent call spend their time.

cProfile adds a cost to every Python function call, so its times are larger than the
benchmarks' and only the shares between rows are comparable.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bitdefender_connector import Connector
from bitdefender_connector.connection import connection_from_mapping
from bitdefender_connector.manifest import load_manifest
from bitdefender_connector.manifest_cache import CACHE_DIR_VARIABLE
from bitdefender_connector.request_builder import build_request

from .cold_start import ACTION as COLD_START_ACTION
from .cold_start import time_process
from .fast_server import FastServer
from .per_call import API_KEY

REQUESTS_STEP = "requests.Session.request (inside the row above)"
IMPORTS_STEP = "imports"
# (label, end of the file name, function name) of the steps reported for each profile.
COLD_START_STEPS = (
    (IMPORTS_STEP, "_bootstrap>", "_find_and_load"),
    ("building the argument parser", "cli.py", "build_parser"),
    ("loading the manifest", "manifest.py", "load_manifest"),
    ("Connector.run (dry run)", "connector.py", "run"),
)
CALL_STEPS = (
    ("convert_inputs", "conversion.py", "convert_inputs"),
    ("check_action_input (input schema)", "action_input.py", "check_action_input"),
    ("build_request", "request_builder.py", "build_request"),
    ("retry policy and send", "connector.py", "_send"),
    (REQUESTS_STEP, "sessions.py", "request"),
    ("build_envelope", "outcome.py", "build_envelope"),
    ("check_outcome", "outcome.py", "check_outcome"),
    ("output schema check", "connector.py", "_check_output"),
)


@dataclass(frozen=True)
class ProfileRow:
    """One step of a profile: its cumulative time per run or call, and its share of the total."""

    label: str
    time: float
    share: float


@dataclass(frozen=True)
class Profile:
    """The steps of one profile, with a one-sentence headline of where the time goes."""

    title: str
    unit: str
    total: float
    rows: list[ProfileRow]
    headline: str = ""


def profile_cold_start() -> Profile:
    """Profile one dry-run process with a filled manifest cache, in a child process."""
    with tempfile.TemporaryDirectory(prefix="bitdefender-profile-") as folder:
        input_file = Path(folder) / "input.json"
        input_file.write_text(json.dumps(load_manifest().action(COLD_START_ACTION).example_input))
        output = Path(folder) / "cold-start.prof"
        environment = {**os.environ, CACHE_DIR_VARIABLE: str(Path(folder) / "cache")}
        arguments = ["run", COLD_START_ACTION, "--dry-run", "--input", f"@{input_file}"]
        # One run without the profiler fills the manifest cache and the bytecode cache.
        time_process([sys.executable, "-m", "bitdefender_connector", *arguments], environment)
        command = [sys.executable, "-m", "cProfile", "-o", str(output)]
        command += ["-m", "bitdefender_connector", *arguments]
        subprocess.run(  # noqa: S603 - a fixed command built above
            command, env=environment, capture_output=True, check=True, timeout=120
        )
        stats = pstats.Stats(str(output))
    profile = _summarise(
        stats, "Cold start of one dry-run process", "ms", 1000.0, 1, COLD_START_STEPS
    )
    shares = {row.label: row.share for row in profile.rows}
    rest = max(0.0, 1.0 - shares[IMPORTS_STEP])
    headline = (
        f"Imports take {shares[IMPORTS_STEP]:.0%} of the process; everything else, the "
        f"manifest load ({shares['loading the manifest']:.0%}) included, takes {rest:.0%}."
    )
    return Profile(profile.title, profile.unit, profile.total, profile.rows, headline)


def profile_call(action_name: str = "get_block_list_items", calls: int = 1000) -> Profile:
    """Profile ``calls`` calls of Connector.run against the fast server."""
    manifest = load_manifest()
    action = manifest.action(action_name)
    dry_connection = connection_from_mapping({}, require_api_key=False)
    path = urlsplit(build_request(action, action.example_input, dry_connection).url).path
    with FastServer({path: action.example_output["json_body"]}) as server:
        settings = {"url": server.base_url, "username": API_KEY}
        with Connector(settings, manifest=manifest, rate_limiting=False) as connector:
            for _ in range(max(1, calls // 10)):
                connector.run(action_name, action.example_input)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(calls):
                connector.run(action_name, action.example_input)
            profiler.disable()
    stats = pstats.Stats(profiler)
    title = f"One call of {action_name} with Connector.run"
    profile = _summarise(stats, title, "µs/call", 1e6, calls, CALL_STEPS, "Connector.run")
    own_steps = [row for row in profile.rows if row.label != REQUESTS_STEP]
    requests_share = next(row.share for row in profile.rows if row.label == REQUESTS_STEP)
    largest = max(
        (row for row in own_steps if row.label != "retry policy and send"),
        key=lambda row: row.share,
    )
    headline = (
        f"requests.Session.request takes {requests_share:.0%} of Connector.run. The largest "
        f"step of the connector's own is {largest.label}, at {largest.share:.0%}."
    )
    return Profile(profile.title, profile.unit, profile.total, profile.rows, headline)


def _summarise(
    stats: pstats.Stats,
    title: str,
    unit: str,
    scale: float,
    runs: int,
    steps: tuple[tuple[str, str, str], ...],
    total_function: str | None = None,
) -> Profile:
    entries = stats.stats  # type: ignore[attr-defined]
    if total_function is None:
        total = stats.total_tt  # type: ignore[attr-defined]
    else:
        total = _cumulative(entries, "connector.py", total_function.split(".")[-1])
    rows = []
    for label, file_end, function in steps:
        seconds = _cumulative(entries, file_end, function)
        rows.append(ProfileRow(label, seconds * scale / runs, seconds / total if total else 0.0))
    return Profile(title, unit, total * scale / runs, rows)


def _cumulative(entries: dict, file_end: str, function: str) -> float:
    """Return the summed cumulative seconds of the functions with this name in these files."""
    return sum(
        cumulative
        for (file_name, _, name), (_, _, _, cumulative, _) in entries.items()
        if name == function and file_name.endswith(file_end)
    )
