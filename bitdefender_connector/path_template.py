"""Endpoint path templates: compiled once, rendered with percent-encoded single segments."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

if TYPE_CHECKING:  # Jinja is imported only for a template that is not plain, see _split_plain.
    import jinja2.sandbox


@functools.cache
def _environment() -> jinja2.sandbox.ImmutableSandboxedEnvironment:
    """Return the Jinja environment, importing Jinja on the first call.

    It is sandboxed, because template source comes from manifest files that a user may edit,
    and uses StrictUndefined, because a missing path parameter must fail instead of leaving
    an empty segment. Autoescape is off since the output is a URL path, not HTML; each value
    is percent-encoded before rendering instead.
    """
    import jinja2
    import jinja2.sandbox

    return jinja2.sandbox.ImmutableSandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )


# Characters that would let a value leave its path segment, checked after percent-decoding
# so that %2F or %2e%2e are caught too.
_SEGMENT_BREAKERS = ("/", "\\", "?", "#")

# A plain ``{{ name }}`` placeholder. A source made only of these and literal text without
# braces or line breaks renders to the same string by joining. That skips importing Jinja
# (about 20 ms of a process start) and building a Jinja context on every call.
_PLAIN_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_NOT_PLAIN_TEXT = re.compile(r"[{}\r\n]")
# Names that Jinja reads as literals or operators, not as variables.
_JINJA_RESERVED_NAMES = frozenset(
    ("true", "false", "none", "True", "False", "None")
    + ("and", "or", "not", "in", "is", "if", "else")
)


class PathParameterError(ValueError):
    """A path parameter value would not stay inside one path segment."""


class PathTemplate:
    """An endpoint path such as ``api/v1.0/jsonrpc/quarantine/{{ type }}``."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._plain_pieces = _split_plain(source)
        self._template = None
        if self._plain_pieces is not None:
            self.placeholders = frozenset(name for _, name in self._plain_pieces if name)
            return
        import jinja2.meta

        environment = _environment()
        self.placeholders = frozenset(
            jinja2.meta.find_undeclared_variables(environment.parse(source))
        )
        if self.placeholders:
            self._template = environment.from_string(source)

    def render(self, values: Mapping[str, str]) -> str:
        """Return the path with each placeholder replaced by its percent-encoded value.

        Raises PathParameterError when a value is empty, is ``.`` or ``..``, or contains a
        character that would start a new segment, query or fragment.
        """
        if not self.placeholders:
            return self.source
        encoded = {name: encode_segment(name, values.get(name)) for name in self.placeholders}
        if self._template is not None:
            return self._template.render(encoded)
        # Without a Jinja template the source is plain, so its pieces are set.
        pieces = self._plain_pieces or []
        return "".join(text + (encoded[name] if name else "") for text, name in pieces)


def _split_plain(source: str) -> list[tuple[str, str]] | None:
    """Return (literal text, placeholder name or '') pieces, or None unless the source is plain.

    None means the source uses more of Jinja than ``{{ name }}``, so Jinja parses and renders
    it. For a plain source the placeholders are exactly the names that Jinja would find.
    """
    pieces = []
    position = 0
    for match in _PLAIN_PLACEHOLDER.finditer(source):
        if match.group(1) in _JINJA_RESERVED_NAMES:
            return None
        pieces.append((source[position : match.start()], match.group(1)))
        position = match.end()
    pieces.append((source[position:], ""))
    if any(_NOT_PLAIN_TEXT.search(text) for text, _ in pieces):
        return None
    return pieces


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
