"""The manifest cache: used only while every file matches, and never trusted otherwise."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bitdefender_connector import ManifestError
from bitdefender_connector import manifest as manifest_module
from bitdefender_connector.manifest_cache import (
    CACHE_DIR_VARIABLE,
    MAX_CACHE_FILES,
    DocumentSource,
    ManifestCache,
    cache_directory,
)

from .test_manifest import copy_manifest, edit_action, write_yaml

# load_manifest keeps one result per root for the whole process; the tests need fresh loads.
load_uncached = manifest_module.load_manifest.__wrapped__


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(folder))
    return folder


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_manifest(tmp_path / "manifest")


def cache_file(root: Path, cache_dir: Path) -> Path:
    return ManifestCache(root, cache_dir).path


def forbid_full_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make a load fail if it runs the meta-schema check of any action schema."""

    def reject_check_schema(schema: object) -> None:
        raise AssertionError("check_schema ran although the cache was valid")

    monkeypatch.setattr(manifest_module.Draft202012Validator, "check_schema", reject_check_schema)


def test_first_load_writes_cache(root, cache_dir):
    load_uncached(root)

    entry = json.loads(cache_file(root, cache_dir).read_text(encoding="utf-8"))
    assert "connector.yaml" in entry["files"]
    assert "actions/isolate_host.yaml" in entry["files"]
    assert "schemas/definitions.json" in entry["files"]
    assert set(entry["documents"]) == set(entry["files"])


def test_cache_files_are_private(root, cache_dir):
    load_uncached(root)

    assert cache_dir.stat().st_mode & 0o777 == 0o700
    assert cache_file(root, cache_dir).stat().st_mode & 0o777 == 0o600


def test_second_load_skips_checks(root, cache_dir, monkeypatch):
    first = load_uncached(root)
    forbid_full_checks(monkeypatch)

    second = load_uncached(root)

    assert list(second.actions) == list(first.actions)
    assert second.action("isolate_host").example_input == first.action("isolate_host").example_input


def test_cached_manifest_validates_inputs(root, cache_dir):
    load_uncached(root)
    cached = load_uncached(root)
    action = cached.action("isolate_host")
    bad_input = {"json_body": {"params": {"endpointId": "not-an-id"}}}

    assert manifest_module.collect_field_errors(action.input_validator, action.example_input) == []
    assert manifest_module.collect_field_errors(action.input_validator, bad_input) != []


def test_changed_file_invalidates_cache(root, cache_dir):
    load_uncached(root)
    path, document = edit_action(root, "isolate_host")
    document["title"] = "Isolate Endpoint Now"
    write_yaml(path, document)

    assert ManifestCache(root, cache_dir).load() is None
    assert load_uncached(root).action("isolate_host").title == "Isolate Endpoint Now"


def test_changed_file_is_checked_again(root, cache_dir):
    load_uncached(root)
    path, document = edit_action(root, "isolate_host")
    document["meta"]["kind"] = "sometimes"
    write_yaml(path, document)

    with pytest.raises(ManifestError) as caught:
        load_uncached(root)
    assert "actions/isolate_host.yaml" in str(caught.value)
    assert "meta.kind" in str(caught.value)


def test_changed_schema_file_invalidates_cache(root, cache_dir):
    load_uncached(root)
    definitions = root / "schemas" / "definitions.json"
    definitions.write_text(definitions.read_text(encoding="utf-8") + "\n", encoding="utf-8")

    assert ManifestCache(root, cache_dir).load() is None


def test_other_code_invalidates_cache(root, cache_dir):
    load_uncached(root)
    path = cache_file(root, cache_dir)
    entry = json.loads(path.read_text(encoding="utf-8"))
    entry["fingerprint"] = "0" * 64
    path.write_text(json.dumps(entry), encoding="utf-8")

    assert ManifestCache(root, cache_dir).load() is None


def test_corrupt_cache_is_rebuilt(root, cache_dir, monkeypatch):
    load_uncached(root)
    path = cache_file(root, cache_dir)
    path.write_text("{not json", encoding="utf-8")

    load_uncached(root)

    assert ManifestCache(root, cache_dir).load() is not None
    forbid_full_checks(monkeypatch)
    load_uncached(root)


def test_cache_of_other_root_is_ignored(root, cache_dir, tmp_path):
    load_uncached(root)
    other = copy_manifest(tmp_path / "other")
    cache_file(root, cache_dir).replace(cache_file(other, cache_dir))

    assert ManifestCache(other, cache_dir).load() is None


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="needs POSIX file modes")
def test_group_writable_cache_is_ignored(root, cache_dir):
    load_uncached(root)
    cache_file(root, cache_dir).chmod(0o664)

    assert ManifestCache(root, cache_dir).load() is None


def test_cache_turned_off(root, cache_dir, monkeypatch):
    monkeypatch.setenv(CACHE_DIR_VARIABLE, "off")

    load_uncached(root)

    assert cache_directory() is None
    assert not cache_dir.exists()


def test_unwritable_cache_folder_still_loads(root, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(blocker / "cache"))

    manifest = load_uncached(root)

    assert len(manifest.actions) == 15


def test_no_cache_without_json_round_trip(root, cache_dir):
    source = DocumentSource(root)
    source.parsed["connector.yaml"] = ("0" * 64, {200: "an integer key"})

    ManifestCache(root, cache_dir).store(source)

    assert not cache_file(root, cache_dir).exists()


def test_use_cache_false_neither_reads_nor_writes(root, cache_dir):
    load_uncached(root, use_cache=False)

    assert not cache_dir.exists()


def test_oldest_cache_files_removed(root, cache_dir, tmp_path):
    cache_dir.mkdir(mode=0o700)
    for number in range(MAX_CACHE_FILES + 3):
        old = cache_dir / f"manifest-{number:032d}.json"
        old.write_text("{}", encoding="utf-8")
        os.utime(old, (1_000_000 + number, 1_000_000 + number))

    load_uncached(root)

    remaining = sorted(cache_dir.glob("manifest-*.json"))
    assert len(remaining) == MAX_CACHE_FILES
    assert cache_file(root, cache_dir) in remaining
    assert cache_dir / f"manifest-{0:032d}.json" not in remaining


def test_cache_directory_defaults_to_xdg():
    folder = cache_directory({"XDG_CACHE_HOME": "/var/cache/user"})

    assert folder == Path("/var/cache/user/bitdefender-connector")
