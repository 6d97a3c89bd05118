"""vcrpy settings shared by the cassette recorder and the replay tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import vcr

from bitdefender_connector.manifest import load_manifest
from bitdefender_connector.validation import MASK

CASSETTE_DIR = Path(__file__).resolve().parent.parent / "cassettes"

# The key the recorder gives the emulator. The secret scan checks that it never reaches a file.
RECORDING_API_KEY = "recording-key-3f1c9a7e5b2d4086"
RECORDING_EXCHANGE_PASSWORD = "userpassword"  # noqa: S105 - the Swimlane connector spec example's password


def comparable_body(request: Any) -> Any:
    """Return the JSON body without its ``id`` and with secret fields masked, or the raw body."""
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    try:
        document = json.loads(body)
    except (TypeError, ValueError):
        return body
    if isinstance(document, dict):
        document.pop("id", None)
        _mask_secret_params(document)
    return document


def match_comparable_body(first: Any, second: Any) -> None:
    """vcrpy matcher: the JSON bodies must be equal apart from the id and masked secrets."""
    assert comparable_body(first) == comparable_body(second), "JSON bodies differ"  # noqa: S101


def scrub_request(request: Any) -> Any:
    """Mask the Authorization header and every secret field before recording."""
    for name in list(request.headers):
        if name.lower() == "authorization":
            request.headers[name] = f"Basic {MASK}"
    try:
        document = json.loads(request.body)
    except (TypeError, ValueError):
        return request
    if isinstance(document, dict):
        _mask_secret_params(document)
        request.body = json.dumps(document, separators=(",", ":")).encode("utf-8")
    return request


def _mask_secret_params(body: dict[str, Any]) -> None:
    manifest = load_manifest()
    secret_names = {
        field.rsplit(".", 1)[-1]
        for action in manifest.actions.values()
        for field in action.secret_fields
    }
    params = body.get("params")
    if isinstance(params, dict):
        for name in secret_names & set(params):
            params[name] = MASK


def make_vcr(record_mode: str) -> vcr.VCR:
    """Return a VCR that matches on method, path and the JSON body without its id.

    Every interaction goes to one of a few URLs and differs only in its body, so the body is
    part of the match. The id is left out because each run makes a fresh one. Pass
    ``allow_playback_repeats=False`` to use_cassette so that a mismatch fails loudly.
    """
    recorder = vcr.VCR(
        cassette_library_dir=str(CASSETTE_DIR),
        record_mode=record_mode,
        match_on=["method", "path", "comparable_body"],
        before_record_request=scrub_request,
        decode_compressed_response=True,
    )
    recorder.register_matcher("comparable_body", match_comparable_body)
    return recorder
