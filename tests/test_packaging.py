"""The built wheel carries the manifest, so an install outside the repository works."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(REPOSITORY),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(out.glob("bitdefender_connector-*.whl"))


def test_wheel_contains_manifest(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "bitdefender_connector/manifest/connector.yaml" in names
    assert "bitdefender_connector/manifest/actions/isolate_host.yaml" in names
    assert "bitdefender_connector/manifest/schemas/definitions.json" in names
    assert "bitdefender_connector/manifest/schemas/http_basic.yaml" in names


def test_installed_wheel_runs_outside_repository(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    completed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            sys.executable,
            "-m",
            "bitdefender_connector",
            "run",
            "isolate_host",
            "--example",
            "--dry-run",
        ],
        cwd=workdir,
        env={"PYTHONPATH": str(site), "BITDEFENDER_CACHE_DIR": "off", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = json.loads(completed.stdout)
    assert completed.returncode == 0
    assert output["request"]["url"].endswith("/api/v1.0/jsonrpc/incidents")
    assert output["request"]["json_body"]["method"] == "createIsolateEndpointTask"


def test_installed_wheel_uses_packaged_manifest(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    completed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            sys.executable,
            "-c",
            "from bitdefender_connector.manifest import default_root; print(default_root())",
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert completed.stdout.strip() == str(site / "bitdefender_connector" / "manifest")
