"""A per-user cache of the checked manifest, so that a new process skips the slow load checks.

Parsing 17 YAML files and checking each against the manifest's meta-schema and the JSON Schema
meta-schema took about 100 ms on a 2-core AMD EPYC virtual machine, most of a dry run's
start-up. After a load that passes every check, the parsed documents are written to a JSON
file with the SHA-256 of every file that was read. A later process uses that file only when:

- each recorded manifest file still has the recorded SHA-256,
- the fingerprint matches: the cache format, the source of every module of this package, the
  PyYAML version and the installed jsonschema's validators module,
- the file belongs to the current user and no one else may write to it.

Anything else, a corrupt file included, is ignored and rebuilt by a full, checked load.
The folder is ``$BITDEFENDER_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/bitdefender-connector``
or ``~/.cache/bitdefender-connector``. ``BITDEFENDER_CACHE_DIR=off`` turns the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

CACHE_FORMAT = 1
CACHE_DIR_VARIABLE = "BITDEFENDER_CACHE_DIR"
CACHE_OFF = "off"
# Each manifest root has its own file; the oldest files beyond this number are deleted.
MAX_CACHE_FILES = 20

PACKAGE_DIR = Path(__file__).resolve().parent


class CacheMiss(Exception):
    """The reader asked for a document that the cache does not hold."""


def cache_directory(environ: Mapping[str, str] | None = None) -> Path | None:
    """Return the cache folder, or None when the cache is turned off."""
    environ = os.environ if environ is None else environ
    configured = environ.get(CACHE_DIR_VARIABLE, "")
    if configured.lower() == CACHE_OFF:
        return None
    if configured:
        return Path(configured).expanduser()
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bitdefender-connector"


class DocumentSource:
    """Reads manifest documents, from a valid cache when there is one, else from the files.

    ``from_cache`` is True when every document comes from a cache that matched every file's
    hash, so the checks that passed when it was written need not run again. Documents parsed
    from files are kept in ``parsed`` with their hashes, for writing the cache afterwards.
    """

    def __init__(self, root: Path, cached: Mapping[str, Any] | None = None) -> None:
        self.root = root
        self._cached = cached
        self.parsed: dict[str, tuple[str, Any]] = {}

    @property
    def from_cache(self) -> bool:
        return self._cached is not None

    def load(self, path: Path, parse: Callable[[str], Any]) -> Any:
        """Return the document at ``path``, parsing the file with ``parse`` unless cached.

        Raises OSError or UnicodeDecodeError when the file cannot be read, whatever
        ``parse`` raises for invalid text, and CacheMiss when a cache is in use but does not
        hold this file.
        """
        key = self._key(path)
        if self._cached is not None:
            if key not in self._cached:
                raise CacheMiss(key)
            return self._cached[key]
        raw = path.read_bytes()
        document = parse(raw.decode("utf-8"))
        self.parsed[key] = (hashlib.sha256(raw).hexdigest(), document)
        return document

    def _key(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


class ManifestCache:
    """The cache file of one manifest root."""

    def __init__(self, root: Path, directory: Path) -> None:
        self.root = root.resolve()
        self.directory = directory
        name = hashlib.sha256(str(self.root).encode("utf-8")).hexdigest()[:32]
        self.path = directory / f"manifest-{name}.json"

    def load(self) -> dict[str, Any] | None:
        """Return the cached documents by relative path, or None when the cache is not valid."""
        try:
            with self.path.open("rb") as handle:
                if not _is_private_file(os.fstat(handle.fileno())):
                    logger.warning(
                        "Ignoring the manifest cache %s: another user may write to it", self.path
                    )
                    return None
                entry = json.loads(handle.read())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            logger.debug("Ignoring the unreadable manifest cache %s: %s", self.path, error)
            return None

        reason = self._stale_reason(entry)
        if reason:
            logger.debug("Ignoring the manifest cache %s: %s", self.path, reason)
            return None
        return entry["documents"]

    def store(self, source: DocumentSource) -> None:
        """Write the documents that ``source`` parsed; failures are logged and ignored."""
        entry = {
            "format": CACHE_FORMAT,
            "fingerprint": code_fingerprint(),
            "root": str(self.root),
            "files": {key: digest for key, (digest, _) in source.parsed.items()},
            "documents": {key: document for key, (_, document) in source.parsed.items()},
        }
        try:
            text = json.dumps(entry, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as error:
            # YAML can hold dates, binary values or non-finite numbers that JSON cannot.
            logger.debug("Not caching the manifest, it is not plain JSON data: %s", error)
            return
        if json.loads(text)["documents"] != entry["documents"]:
            # For example integer mapping keys, which JSON turns into strings.
            logger.debug("Not caching the manifest, it does not survive a JSON round trip")
            return
        try:
            self._write(text)
        except OSError as error:
            logger.debug("Could not write the manifest cache %s: %s", self.path, error)

    def _stale_reason(self, entry: Any) -> str:
        if not isinstance(entry, dict):
            return "not a JSON object"
        if entry.get("format") != CACHE_FORMAT:
            return "another cache format"
        if entry.get("fingerprint") != code_fingerprint():
            return "written by other connector or library code"
        if entry.get("root") != str(self.root):
            return "written for another manifest folder"
        files, documents = entry.get("files"), entry.get("documents")
        if not isinstance(files, dict) or not isinstance(documents, dict) or not files:
            return "no file list"
        if set(files) != set(documents):
            return "the file list and the documents differ"
        for key, digest in files.items():
            try:
                actual = hashlib.sha256((self.root / key).read_bytes()).hexdigest()
            except OSError:
                return f"{key} cannot be read"
            if actual != digest:
                return f"{key} has changed"
        return ""

    def _write(self, text: str) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Written to a temporary file and renamed, so a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(prefix=".manifest-", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        self._remove_oldest_files()

    def _remove_oldest_files(self) -> None:
        files = sorted(
            self.directory.glob("manifest-*.json"),
            key=lambda path: path.stat().st_mtime,
            reverse=True,
        )
        for old in files[MAX_CACHE_FILES:]:
            with contextlib.suppress(OSError):
                old.unlink()


def _is_private_file(status: os.stat_result) -> bool:
    if not hasattr(os, "getuid"):  # Windows has no owner ids or group write bits
        return True
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


_fingerprint: str | None = None


def code_fingerprint() -> str:
    """Return a SHA-256 over the cache format, this package's modules and the parser versions.

    A cache written by other code must not let this code skip its checks. Library versions
    are read from module attributes and file stamps, because importlib.metadata costs about
    40 ms.
    """
    global _fingerprint
    if _fingerprint is None:
        import jsonschema.validators
        import yaml

        digest = hashlib.sha256(f"format {CACHE_FORMAT}\n".encode())
        for module in sorted(PACKAGE_DIR.glob("*.py")):
            digest.update(module.name.encode("utf-8") + b"\n")
            digest.update(module.read_bytes())
        digest.update(f"PyYAML {yaml.__version__}\n".encode())
        validators_file = Path(jsonschema.validators.__file__)
        stamp = validators_file.stat()
        digest.update(f"{validators_file} {stamp.st_size} {stamp.st_mtime_ns}\n".encode())
        _fingerprint = digest.hexdigest()
    return _fingerprint
