"""A description of the machine and software that a benchmark run measured."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path

LIBRARIES = ("requests", "urllib3", "jsonschema", "referencing", "PyYAML", "Jinja2", "tenacity")


def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo, or what the platform module reports."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        text = ""
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "model name" and value.strip():
            return value.strip()
    return platform.processor() or platform.machine() or "unknown"


def usable_cores() -> int:
    """Return how many cores this process may run on, which can be fewer than the machine has."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not available on macOS and Windows
        return os.cpu_count() or 1


def load_average() -> str:
    try:
        one_minute, five_minutes, fifteen_minutes = os.getloadavg()
    except (AttributeError, OSError):
        return "unknown"
    return f"{one_minute:.2f} {five_minutes:.2f} {fifteen_minutes:.2f}"


def describe_machine() -> list[tuple[str, str]]:
    """Return (label, value) rows: CPU, cores, OS, Python and the versions of key libraries."""
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return [
        ("CPU", cpu_model()),
        ("cores", f"{usable_cores()} usable of {os.cpu_count()}"),
        ("load average at start (1, 5, 15 min)", load_average()),
        ("OS", platform.platform()),
        ("Python", f"{platform.python_implementation()} {sys.version.split()[0]}"),
        ("libraries", ", ".join(versions)),
    ]
