"""Benchmarks of the executor's own cost, measured against a bare ``requests`` call.

``python -m benchmarks`` (or ``make bench``) runs them all and writes ``BENCHMARKS.md``.
"""
