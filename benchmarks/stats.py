"""Summaries of repeated measurements, figures checked against a budget, and benchmark results."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Summary:
    """Median, minimum and maximum of ``count`` repeated measurements."""

    median: float
    minimum: float
    maximum: float
    count: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Summary:
        if not samples:
            raise ValueError("a summary needs at least one sample")
        return cls(statistics.median(samples), min(samples), max(samples), len(samples))


@dataclass(frozen=True)
class Budget:
    """An upper limit that a figure's median must not exceed, with its text for the report."""

    limit: float
    text: str

    def is_met(self, value: float) -> bool:
        return value <= self.limit


@dataclass(frozen=True)
class Figure:
    """One reported number: its summary, unit and, when one applies, the budget it is held to."""

    name: str
    unit: str
    summary: Summary
    budget: Budget | None = None

    @property
    def verdict(self) -> str:
        if self.budget is None:
            return ""
        return "met" if self.budget.is_met(self.summary.median) else "MISSED"


@dataclass
class BenchmarkResult:
    """The figures of one benchmark, how they were measured and any remarks."""

    title: str
    method: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def missed(self) -> list[Figure]:
        return [figure for figure in self.figures if figure.verdict == "MISSED"]


def per_call_microseconds(total_seconds: float, calls: int) -> float:
    return total_seconds * 1e6 / calls


def format_number(value: float) -> str:
    """Return ``value`` with about three significant digits, as a table cell."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"
