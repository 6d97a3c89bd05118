"""JSON Schema ``pattern`` regular expressions, compiled with ECMA-262's meaning of ``$``.

JSON Schema patterns follow ECMA-262, where ``$`` matches only at the end of the text. In
Python's ``re`` it also matches before a final newline, so ``^[0-9a-f]{24}$`` would accept an
object id followed by ``\\n``. Each ``$`` outside a character class and not escaped is
therefore compiled as ``\\Z``.
"""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Return ``pattern`` compiled so that ``$`` matches only at the end of the text."""
    return re.compile(_end_anchors_to_end_of_text(pattern))


def _end_anchors_to_end_of_text(pattern: str) -> str:
    converted = []
    in_class = False
    escaped = False
    for char in pattern:
        if escaped:
            converted.append(char)
            escaped = False
        elif char == "\\":
            converted.append(char)
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
            converted.append(char)
        elif char == "]" and in_class:
            in_class = False
            converted.append(char)
        elif char == "$" and not in_class:
            converted.append(r"\Z")
        else:
            converted.append(char)
    return "".join(converted)
