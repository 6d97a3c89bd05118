"""Endpoint path templates: compiled once, rendered with percent-encoded single segments."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, unquote

import jinja2
import jinja2.meta
import jinja2.sandbox

# A sandboxed environment, because template source comes from manifest files that a user may
# edit, and StrictUndefined, because a missing path parameter must fail instead of leaving an
# empty segment. Autoescape is off since the output is a URL path, not HTML; each value is
# percent-encoded before rendering instead.
_ENVIRONMENT = jinja2.sandbox.ImmutableSandboxedEnvironment(
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
)

# Characters that would let a value leave its path segment, checked after percent-decoding
# so that %2F or %2e%2e are caught too.
_SEGMENT_BREAKERS = ("/", "\\", "?", "#")


class PathParameterError(ValueError):
    """A path parameter value would not stay inside one path segment."""


class PathTemplate:
    """An endpoint path such as ``api/v1.0/jsonrpc/quarantine/{{ type }}``."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.placeholders = frozenset(
            jinja2.meta.find_undeclared_variables(_ENVIRONMENT.parse(source))
        )
        self._template = _ENVIRONMENT.from_string(source) if self.placeholders else None

    def render(self, values: Mapping[str, str]) -> str:
        """Return the path with each placeholder replaced by its percent-encoded value.

        Raises PathParameterError when a value is empty, is ``.`` or ``..``, or contains a
        character that would start a new segment, query or fragment.
        """
        if self._template is None:
            return self.source
        encoded = {name: encode_segment(name, values.get(name)) for name in self.placeholders}
        return self._template.render(encoded)


def encode_segment(name: str, value: object) -> str:
    """Return ``value`` percent-encoded as exactly one path segment."""
    if not isinstance(value, str) or not value:
        raise PathParameterError(f"path_parameters.{name} must be a non-empty string")
    decoded = value
    for _ in range(3):
        # Decode repeatedly so that double-encoded forms such as %252F are caught too.
        decoded = unquote(decoded)
    if decoded in (".", "..") or any(char in decoded for char in _SEGMENT_BREAKERS):
        raise PathParameterError(
            f"path_parameters.{name} must be a single path segment without '/', '\\', '?', "
            "'#' or '..'"
        )
    return quote(value, safe="")
