"""Under load: one Connector shared by 8 threads against the emulator, with rate limiting off.

The emulator runs in its own process, so that its state and request log do not count in this
process's memory and its work does not compete with the client for the GIL.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bitdefender_connector import Connector, ConnectorError
from bitdefender_connector.manifest import load_manifest

from .stats import BenchmarkResult, Budget, Figure, Summary

ACTIONS = ("get_block_list_items", "isolate_host")
API_KEY = "benchmark-key-not-a-real-key"
ERROR_BUDGET = Budget(0, "0")
MEMORY_BUDGET = Budget(5.0, "≤ 5 MB")
START_TIMEOUT_SECONDS = 30
MEGABYTE = 1_000_000


@dataclass
class LoadCounters:
    """Outcomes of the calls so far, updated by every worker thread under one lock."""

    calls: int = 0
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, error: str | None) -> None:
        with self.lock:
            self.calls += 1
            if error is not None:
                self.errors += 1
                if len(self.first_errors) < 5:
                    self.first_errors.append(error)


def run_under_load(calls: int = 5000, threads: int = 8, chunk: int = 1000) -> BenchmarkResult:
    """Make ``calls`` calls from ``threads`` threads, in chunks of ``chunk`` calls."""
    manifest = load_manifest()
    inputs = {name: manifest.action(name).example_input for name in ACTIONS}
    counters = LoadCounters()
    chunk_rates: list[float] = []
    current_rss: list[float] = []
    peak_rss: list[float] = []

    with start_emulator() as access_url:
        settings = {"url": access_url, "username": API_KEY}
        with Connector(settings, manifest=manifest, rate_limiting=False) as connector:
            sequence = itertools.count()
            for start in range(0, calls, chunk):
                size = min(chunk, calls - start)
                elapsed = _run_chunk(connector, inputs, size, threads, sequence, counters)
                chunk_rates.append(size / elapsed)
                current_rss.append(current_rss_megabytes())
                peak_rss.append(peak_rss_megabytes())

    result = BenchmarkResult(
        title="Under load",
        method=(
            f"One `Connector` with rate limiting off is shared by {threads} threads, which "
            f"make {calls} calls in chunks of {chunk}, alternating {' and '.join(ACTIONS)} "
            "with the spec example inputs and a unique request id per call. The emulator, "
            "with its rate limits off, runs in its own process on 127.0.0.1. Each chunk gives "
            "a rate. After each chunk this process reads its current resident memory from "
            "/proc/self/statm and its peak from getrusage(RUSAGE_SELF).ru_maxrss; the growth "
            "rows compare the first chunk with the last. 1 MB is 10^6 bytes."
        ),
    )
    result.figures = [
        Figure("calls per second", "calls/s", Summary.of(chunk_rates)),
        Figure("errors", "calls", Summary.of([counters.errors]), ERROR_BUDGET),
        Figure("peak RSS after the first chunk", "MB", Summary.of(peak_rss[:1])),
        Figure("peak RSS after the last chunk", "MB", Summary.of(peak_rss[-1:])),
        Figure("peak RSS growth, first to last chunk", "MB", _growth(peak_rss), MEMORY_BUDGET),
        Figure("current RSS after the first chunk", "MB", Summary.of(current_rss[:1])),
        Figure("current RSS after the last chunk", "MB", Summary.of(current_rss[-1:])),
        Figure(
            "current RSS growth, first to last chunk", "MB", _growth(current_rss), MEMORY_BUDGET
        ),
    ]
    if counters.first_errors:
        result.notes.append("First errors: " + "; ".join(counters.first_errors))
    return result


def _run_chunk(
    connector: Connector,
    inputs: dict[str, Any],
    size: int,
    threads: int,
    sequence: Iterator[int],
    counters: LoadCounters,
) -> float:
    """Run ``size`` calls from ``threads`` threads and return the elapsed seconds."""
    work: queue.SimpleQueue[int] = queue.SimpleQueue()
    for _ in range(size):
        work.put(next(sequence))

    def worker() -> None:
        while True:
            try:
                number = work.get_nowait()
            except queue.Empty:
                return
            counters.record(_call(connector, inputs, number))

    workers = [threading.Thread(target=worker, name=f"load-{index}") for index in range(threads)]
    start = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return time.perf_counter() - start


def _call(connector: Connector, inputs: dict[str, Any], number: int) -> str | None:
    """Make call ``number`` and return None, or a description of what went wrong."""
    action = ACTIONS[number % len(ACTIONS)]
    request_id = f"load-{number}"
    example = inputs[action]
    call_input = {**example, "json_body": {**example["json_body"], "id": request_id}}
    try:
        envelope = connector.run(action, call_input)
    except ConnectorError as error:
        return f"{action} {request_id}: {type(error).__name__}: {error}"
    received = (envelope.get("json_body") or {}).get("id")
    if received != request_id:
        return f"{action} {request_id}: the response carries request id {received!r}"
    return None


@contextlib.contextmanager
def start_emulator() -> Iterator[str]:
    """Run the emulator in a child process with rate limits off; yield its access URL."""
    command = [
        sys.executable,
        "-m",
        "bitdefender_connector.emulator",
        "--no-rate-limits",
        "--api-key",
        API_KEY,
        "--log-level",
        "WARNING",
    ]
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(  # noqa: S603 - the package's own emulator
            command, stdout=subprocess.PIPE, stderr=log, text=True
        )
        try:
            assert process.stdout is not None
            line = _read_line(process.stdout, START_TIMEOUT_SECONDS)
            if not line:
                log.seek(0)
                raise RuntimeError(f"The emulator did not start: {log.read()[-2000:]}")
            yield json.loads(line)["access_url"]
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()


def _read_line(stream: Any, timeout: float) -> str:
    """Return the next line of ``stream``, or '' when none arrives within ``timeout`` seconds."""
    lines: queue.SimpleQueue[str] = queue.SimpleQueue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return ""


def current_rss_megabytes() -> float:
    """Return this process's resident memory now, from /proc/self/statm (Linux only)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / MEGABYTE


def peak_rss_megabytes() -> float:
    """Return this process's peak resident memory; Linux reports ru_maxrss in KiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MEGABYTE


def _growth(samples: list[float]) -> Summary:
    return Summary.of([samples[-1] - samples[0]])
