"""Masking of known secrets in text and JSON that came back from a server."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any

from .validation import MASK

# Shorter values are not masked, because replacing one or two characters everywhere would
# garble the text while hiding almost nothing.
MIN_SECRET_LENGTH = 4


def secrets_of_call(
    api_key: str, password: str, json_body: Mapping[str, Any], secret_fields: Iterable[str]
) -> list[str]:
    """Return the secrets a call sends: the key, the password, their Basic form, secret fields."""
    basic = base64.b64encode(f"{api_key}:{password}".encode()).decode()
    values = [api_key, password, basic]
    for dotted in secret_fields:
        node: Any = json_body
        for part in dotted.split(".")[1:]:
            node = node.get(part) if isinstance(node, Mapping) else None
        if isinstance(node, str):
            values.append(node)
    # Longer secrets first, so that a secret containing another is masked whole.
    long_enough = {value for value in values if len(value) >= MIN_SECRET_LENGTH}
    return sorted(long_enough, key=len, reverse=True)


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """Return ``text`` with each secret replaced by the mask."""
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


def redact_json(value: Any, secrets: list[str]) -> Any:
    """Return a copy of decoded JSON with each secret masked inside every string."""
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, Mapping):
        return {key: redact_json(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_json(item, secrets) for item in value]
    return value
