"""Markdown for BENCHMARKS.md and stdout: machine, budget summary, figures and profiles."""

from __future__ import annotations

from collections.abc import Sequence

from .profiles import Profile
from .stats import BenchmarkResult, Figure, format_number

# Measures in the executor that keep it within the budget. The list describes the code, so
# it must change when the code does.
OPTIMISATIONS = (
    "Each input and output schema gets a compiled validity check "
    "(`bitdefender_connector/fast_validation.py`), compiled on first use. It decides "
    '"certainly valid" in a few microseconds. Anything else goes to jsonschema, which still '
    "produces every error message. Before this check, on the 2-core AMD EPYC machine, "
    "jsonschema alone took about 100 µs per input and up to 270 µs per output, because it "
    "resolves each `$ref` and builds a validator object for each subschema on every call.",
    "A per-user cache of the checked manifest (`bitdefender_connector/manifest_cache.py`) "
    "contains the parsed documents with the SHA-256 of every manifest file. A process whose "
    "files, package code and parser versions all match skips YAML parsing, the meta-schema "
    "checks and the example checks. Any mismatch means a full, checked load. "
    "`bitdefender-connector validate` never uses the cache.",
    "The CLI imports a subcommand module (emulator, demo, docs, MCP server, connection test) "
    "only when that subcommand is on the command line, so `run` does not load the emulator.",
    "requests, urllib3 and tenacity are imported on the first real call, so a dry run never "
    "loads them. One `requests.Session` per Connector reuses TCP and TLS connections.",
    "The first attempt of a call runs outside tenacity (`call_with_retries` in "
    "`bitdefender_connector/retry_policy.py`). Only a response or error that may be retried "
    "hands over to a tenacity Retrying, which then behaves as if it had made that attempt "
    "itself. Building and running a Retrying on every call cost about 20 µs.",
    "Endpoint templates of the plain `{{ name }}` form, which are all that the manifest's "
    "meta-schema allows, render by joining strings, with the same result as Jinja. Jinja is "
    "imported only for a template that is not plain, so running these actions never loads it.",
    "String conversion computes the plan's depth once per call and returns scalars early. "
    "The input depth check walks the input without building field paths unless it fails.",
    "The JSON-RPC body is copied with a JSON-only copy instead of `copy.deepcopy`, and the "
    "dry-run output copies it again only when the action has a secret field to mask.",
)


# The profile that the changes above were made from. It was measured once, with cProfile, on
# the executor as first committed (a18b3e3), on the 2-core AMD EPYC machine. It is not rerun.
BASELINE_PROFILE = (
    "Cold start: a `run get_rules --example --dry-run` process took about 0.55 s against "
    "about 0.25 s for the import-only process, a ratio near 2. Under cProfile, loading the "
    "manifest took 0.39 s of 0.69 s, and 0.28 s of that was "
    "`Draft202012Validator.check_schema` on the 30 action schemas. Building the argument "
    "parser imported the emulator and the demo, 0.09 s. Parsing the YAML took 0.04 s.",
    "Per call: `Connector.run` cost 410 to 570 µs more than the bare `requests` call. Under "
    "cProfile, jsonschema validation took 1.5 s of 5.0 s for 2,000 calls; timed alone it "
    "cost about 100 µs per input and 115 to 270 µs per output. Building and running the "
    "tenacity Retrying cost about 20 µs per call.",
)


def render_report(
    machine: Sequence[tuple[str, str]],
    results: Sequence[BenchmarkResult],
    profiles: Sequence[Profile],
    generated: str,
) -> str:
    """Return the whole BENCHMARKS.md text."""
    lines = render_introduction(machine, generated)
    lines += render_budget_section(results)
    for number, result in enumerate(results, start=1):
        lines += render_benchmark(number, result)
    lines += render_profiles(profiles)
    lines += render_closing()
    return "\n".join(lines)


def render_introduction(machine: Sequence[tuple[str, str]], generated: str) -> list[str]:
    return [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`python -m benchmarks`) on {generated}. Every figure "
        "below comes from that one run on the machine described here. The machine is shared "
        "with other jobs, so absolute times vary from run to run and from machine to "
        "machine. That is why each budget is a ratio or a difference between two things "
        "measured side by side in the same run.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {label} | {value} |" for label, value in machine),
        "",
    ]


def render_budget_section(results: Sequence[BenchmarkResult]) -> list[str]:
    lines = ["## Budget", "", *render_budget_table(results), ""]
    missed = [(result, figure) for result in results for figure in result.missed]
    if missed:
        lines += [
            "**Budget missed.** The figures below are over their budget in this run. The "
            "profiles further down show where the time goes.",
            "",
        ]
        for result, figure in missed:
            budget = figure.budget.text if figure.budget else ""
            median = format_number(figure.summary.median)
            lines.append(
                f"- {result.title}, {figure.name}: median {median} {figure.unit}, budget {budget}"
            )
        lines.append("")
    lines += [
        "Each figure is the median of repeated runs, with the minimum and maximum. A budget "
        "is met when the median is within it.",
        "",
    ]
    return lines


def render_benchmark(number: int, result: BenchmarkResult) -> list[str]:
    lines = [f"## {number}. {result.title}", "", result.method, ""]
    lines += render_figure_table(result.figures)
    for note in result.notes:
        lines += ["", note]
    lines.append("")
    return lines


def render_profiles(profiles: Sequence[Profile]) -> list[str]:
    lines = [
        "## Where the time goes",
        "",
        "Profiled with cProfile in the same run. cProfile slows every Python call, so only "
        "the shares are comparable with the figures above. Steps can overlap: imports made "
        "inside a step count in both rows.",
        "",
    ]
    for profile in profiles:
        lines += render_profile(profile)
    lines += [
        "### Before the changes",
        "",
        "The profile that the changes below were made from, measured once on the executor as "
        "first committed (a18b3e3), on the same kind of machine. It is not rerun.",
        "",
        *(f"- {item}" for item in BASELINE_PROFILE),
        "",
    ]
    return lines


def render_closing() -> list[str]:
    return [
        "## What keeps the executor within budget",
        "",
        *(f"- {item}" for item in OPTIMISATIONS),
        "",
        "## Running the benchmarks",
        "",
        "`make bench` runs them all, in under a minute on the machine above, and rewrites "
        "this file. "
        "`python -m benchmarks --quick` runs tiny counts and only prints. "
        "`tests/test_benchmarks_smoke.py` runs every benchmark with tiny counts in the test "
        "suite, without checking any time.",
        "",
    ]


def render_budget_table(results: Sequence[BenchmarkResult]) -> list[str]:
    lines = [
        "| benchmark | figure | median | budget | verdict |",
        "|---|---|---:|---|---|",
    ]
    for result in results:
        for figure in result.figures:
            if figure.budget is None:
                continue
            lines.append(
                f"| {result.title} | {figure.name} | {_value(figure)} | {figure.budget.text} "
                f"| {figure.verdict} |"
            )
    return lines


def render_figure_table(figures: Sequence[Figure]) -> list[str]:
    lines = [
        "| figure | unit | median | min | max | runs | budget | verdict |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for figure in figures:
        summary = figure.summary
        budget = figure.budget.text if figure.budget else ""
        lines.append(
            f"| {figure.name} | {figure.unit} | {format_number(summary.median)} "
            f"| {format_number(summary.minimum)} | {format_number(summary.maximum)} "
            f"| {summary.count} | {budget} | {figure.verdict} |"
        )
    return lines


def render_profile(profile: Profile) -> list[str]:
    lines = [
        f"### {profile.title}",
        "",
        f"{profile.headline} Total under cProfile: {format_number(profile.total)} {profile.unit}.",
        "",
        f"| step | {profile.unit} | share |",
        "|---|---:|---:|",
    ]
    for row in profile.rows:
        lines.append(f"| {row.label} | {format_number(row.time)} | {row.share:.0%} |")
    lines.append("")
    return lines


def _value(figure: Figure) -> str:
    return f"{format_number(figure.summary.median)} {figure.unit}"
