"""Dry run: the request an action would send, with the Authorization value and secrets masked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .request_builder import PreparedRequest, copy_json
from .validation import MASK


def describe_dry_run(prepared: PreparedRequest, conversions: Sequence[str] = ()) -> dict[str, Any]:
    """Return ``{"dry_run": true, "action", "request": {method, url, headers, json_body}}``."""
    headers = dict(prepared.headers)
    headers["Authorization"] = f"Basic {MASK}"
    output: dict[str, Any] = {
        "dry_run": True,
        "action": prepared.action.name,
        "request": {
            "method": prepared.http_method,
            "url": prepared.url,
            "headers": headers,
            "json_body": mask_fields(prepared.json_body, prepared.action.secret_fields),
        },
    }
    if conversions:
        output["conversions"] = list(conversions)
    return output


def mask_fields(json_body: Any, secret_fields: Sequence[str]) -> Any:
    """Return ``json_body`` with each ``json_body.a.b`` secret path masked.

    ``json_body`` itself is never changed. It is copied only when a secret path may apply,
    so without one the result is ``json_body`` itself.
    """
    if not any(dotted.split(".")[0] == "json_body" for dotted in secret_fields):
        return json_body
    masked = copy_json(json_body)
    for dotted in secret_fields:
        parts = dotted.split(".")
        if parts[0] != "json_body":
            continue
        node = masked
        for part in parts[1:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and parts[-1] in node:
            node[parts[-1]] = MASK
    return masked
