"""Connection settings: read from a mapping, a file or the environment, then normalised."""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

import yaml

from .errors import ConfigurationError
from .validation import MASK

logger = logging.getLogger(__name__)

# Field names, as Swimlane's Bitdefender API connector and its http_basic asset name them.
URL = "url"
USERNAME = "username"
PASSWORD = "password"  # noqa: S105 - a field name, not a password
VERIFY_SSL = "verify_ssl"
CA_BUNDLE = "ca_bundle"
HTTP_PROXY = "http_proxy"
CONNECT_TIMEOUT = "connect_timeout"
READ_TIMEOUT = "read_timeout"
KNOWN_FIELDS = (
    URL,
    USERNAME,
    PASSWORD,
    VERIFY_SSL,
    CA_BUNDLE,
    HTTP_PROXY,
    CONNECT_TIMEOUT,
    READ_TIMEOUT,
)

ENVIRONMENT_VARIABLES = {
    URL: "BITDEFENDER_URL",
    USERNAME: "BITDEFENDER_API_KEY",
    VERIFY_SSL: "BITDEFENDER_VERIFY_SSL",
    CA_BUNDLE: "BITDEFENDER_CA_BUNDLE",
    HTTP_PROXY: "BITDEFENDER_HTTP_PROXY",
}

# The maximum connect or read timeout accepted. GravityZone responds within seconds, and an hour
# is far past any wait a playbook step can use.
MAX_TIMEOUT_SECONDS = 3600

# Used by dry runs when no access URL is configured: the default cloud console.
DEFAULT_ACCESS_URL = "https://cloud.gravityzone.bitdefender.com/api"

_TRUE_WORDS = {"true", "yes", "1"}
_FALSE_WORDS = {"false", "no", "0"}


@dataclass(frozen=True)
class Connection:
    """Normalised connection settings. ``repr`` never shows the API key or proxy credentials."""

    access_url: str
    api_key: str = field(repr=False)
    password: str = field(default="", repr=False)
    verify_ssl: bool = True
    ca_bundle: str | None = None
    http_proxy: str | None = field(default=None, repr=False)
    connect_timeout: float | None = None
    read_timeout: float | None = None

    @property
    def jsonrpc_root(self) -> str:
        """Return the URL under which every JSON-RPC endpoint lies, ending in ``/``."""
        return self.access_url + "/v1.0/jsonrpc/"

    @property
    def masked_proxy(self) -> str | None:
        """Return the proxy URL with any user name and password replaced by a mask."""
        return mask_url_credentials(self.http_proxy) if self.http_proxy else None

    def __repr__(self) -> str:
        return (
            f"Connection(access_url={self.access_url!r}, api_key={MASK!r}, "
            f"verify_ssl={self.verify_ssl!r}, ca_bundle={self.ca_bundle!r}, "
            f"http_proxy={self.masked_proxy!r})"
        )


def connection_from_mapping(
    settings: Mapping[str, Any], require_api_key: bool = True
) -> Connection:
    """Return a Connection built from ``settings``, or raise ConfigurationError naming the field."""
    if not isinstance(settings, Mapping):
        raise ConfigurationError("The connection must be a mapping of field names to values")
    unknown = sorted(set(settings) - set(KNOWN_FIELDS))
    if unknown:
        raise ConfigurationError(
            f"Unknown connection field {unknown[0]!r}; known fields: {', '.join(KNOWN_FIELDS)}"
        )

    raw_url = settings.get(URL)
    if raw_url in (None, "") and not require_api_key:
        raw_url = DEFAULT_ACCESS_URL
    api_key = normalize_api_key(settings.get(USERNAME), required=require_api_key)
    password = settings.get(PASSWORD) or ""
    if not isinstance(password, str):
        raise ConfigurationError("password must be a string; leave it empty for GravityZone")

    verify_ssl = parse_bool(VERIFY_SSL, settings.get(VERIFY_SSL, True))
    ca_bundle = _check_ca_bundle(settings.get(CA_BUNDLE))
    if not verify_ssl:
        warn_once_verification_off()
    return Connection(
        access_url=normalize_access_url(raw_url),
        api_key=api_key,
        password=password,
        verify_ssl=verify_ssl,
        ca_bundle=ca_bundle,
        http_proxy=normalize_proxy(settings.get(HTTP_PROXY)),
        connect_timeout=_parse_timeout(CONNECT_TIMEOUT, settings.get(CONNECT_TIMEOUT)),
        read_timeout=_parse_timeout(READ_TIMEOUT, settings.get(READ_TIMEOUT)),
    )


def settings_from_file(path: str | Path) -> dict[str, Any]:
    """Return the connection fields stored in a YAML or JSON file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"Cannot read the config file {path}: {error.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        # str(error) quotes the offending line, which may hold the API key, so only the
        # problem and its position are reported.
        raise ConfigurationError(
            f"The config file {path} is not valid YAML or JSON: {_describe_yaml_error(error)}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"The config file {path} must hold a mapping of connection fields")
    return data


def _describe_yaml_error(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None) or "syntax error"
    mark = getattr(error, "problem_mark", None)
    if mark is None:
        return problem
    return f"{problem} at line {mark.line + 1} column {mark.column + 1}"


def settings_from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the connection fields set through BITDEFENDER_* environment variables."""
    environ = os.environ if environ is None else environ
    return {
        name: environ[variable]
        for name, variable in ENVIRONMENT_VARIABLES.items()
        if environ.get(variable, "") != ""
    }


def normalize_access_url(value: Any) -> str:
    """Return the access URL ending in ``/api``, without a trailing slash.

    ``https://host``, ``https://host/``, ``https://host/api`` and ``https://host/api/`` all give
    ``https://host/api``. A URL without a scheme gets ``https://``. A port and a path prefix
    are kept. A query, a fragment or credentials in the URL are rejected.
    """
    if value is not None and not isinstance(value, str):
        raise ConfigurationError(
            f"url must be a text URL such as {DEFAULT_ACCESS_URL}, not a {type(value).__name__}"
        )
    if value is None or not value.strip():
        raise ConfigurationError(
            "url is missing: set it to the Control Center API access URL, for example "
            f"{DEFAULT_ACCESS_URL}"
        )
    text = value.strip()
    if "://" not in text:
        text = "https://" + text
    parts = _split(URL, text)
    if parts.scheme not in ("http", "https"):
        raise ConfigurationError(
            f"url must start with https:// (or http:// for a lab), not {parts.scheme}://"
        )
    if not parts.hostname:
        raise ConfigurationError("url has no host name; use the access URL shown in Control Center")
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise ConfigurationError(
            "url must not contain a query or fragment; use the access URL as Control Center "
            "shows it"
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError("url must not contain credentials; put the API key in username")
    path = parts.path.rstrip("/")
    if "/jsonrpc" in path.lower():
        raise ConfigurationError(
            "url must be the access URL only, such as https://host/api, without "
            "/v1.0/jsonrpc/...; the connector adds each action's path itself"
        )
    if path.lower().endswith("/api"):
        path = path[: -len("/api")]
    path += "/api"
    access_url = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    if parts.scheme == "http":
        warn_once(
            f"The access URL {access_url} uses plain http, so real calls send the API key "
            "unencrypted"
        )
    return access_url


def normalize_api_key(value: Any, required: bool = True) -> str:
    """Return the API key with whitespace and one trailing colon removed."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ConfigurationError("username (the API key) must be a string")
    key = value.strip()
    if key.endswith(":"):
        # curl examples write the key as "key:" for an empty password.
        key = key[:-1].rstrip()
    if not key and required:
        raise ConfigurationError(
            "The API key is missing: set username in the config file or BITDEFENDER_API_KEY; "
            "create a key in Control Center under My Account > API keys"
        )
    _check_api_key_characters(key)
    return key


def _check_api_key_characters(key: str) -> None:
    """Reject characters that HTTP Basic cannot carry as a user name.

    Basic auth splits ``user:password`` at the first colon, and requests encodes the user name
    as Latin-1. So a colon, a space or a character pasted along with the key, such as a
    zero-width space, would send a different key or fail inside requests. The message names
    the character and its position, never the key.
    """
    for position, character in enumerate(key, start=1):
        if "!" <= character <= "~" and character != ":":
            continue
        raise ConfigurationError(
            f"username (the API key) contains U+{ord(character):04X} at position {position}, "
            "which an API key cannot contain; copy the key again from Control Center"
        )


def normalize_proxy(value: Any) -> str | None:
    """Return the proxy URL with ``http://`` added when it has no scheme, or None."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ConfigurationError("http_proxy must be a URL string such as http://proxy:3128")
    text = value.strip()
    if "://" not in text:
        text = "http://" + text
    parts = _split(HTTP_PROXY, text)
    if parts.path not in ("", "/") or parts.query or parts.fragment or text.endswith(("?", "#")):
        # Usually a password with an unencoded '/', '?' or '#', so the URL is not echoed.
        raise ConfigurationError(
            "http_proxy must be scheme://[user:password@]host:port without a path, query or "
            "fragment. Percent-encode '/', '?', '#' and '@' in the proxy user name or password"
        )
    if parts.scheme not in ("http", "https", "socks5", "socks5h") or not parts.hostname:
        raise ConfigurationError(
            f"http_proxy {mask_url_credentials(text)!r} is not a valid proxy URL; use "
            "http://host:port"
        )
    return text


def parse_bool(name: str, value: Any) -> bool:
    """Return a boolean from a boolean or one of true/false/yes/no/1/0 in any case."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    # A long value may be an API key pasted into the wrong field, so only short ones are shown.
    shown = repr(value) if len(str(value)) <= 12 else f"a value of {len(str(value))} characters"
    raise ConfigurationError(
        f"{name} must be true or false (or yes/no, 1/0), not {shown}; for a private CA set "
        "ca_bundle to the PEM file's path instead"
    )


def mask_url_credentials(url: str) -> str:
    """Return ``url`` with its user name and password replaced by a mask."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"{MASK}@{host}", parts.path, parts.query, parts.fragment))


_warnings_given: set[str] = set()


def warn_once_verification_off() -> None:
    """Log, once per process, that TLS certificate checks are off."""
    warn_once("verify_ssl is off: the server's TLS certificate is not checked")


def warn_once(message: str) -> None:
    """Log ``message`` as a warning the first time it occurs in this process."""
    if message not in _warnings_given:
        _warnings_given.add(message)
        logger.warning("%s", message)


def _check_ca_bundle(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ConfigurationError("ca_bundle must be the path of a PEM file")
    path = Path(value).expanduser()
    if not path.is_file():
        raise ConfigurationError(
            f"ca_bundle {value!r} is not a readable file; give the PEM file's path"
        )
    return str(path)


def _parse_timeout(name: str, value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ConfigurationError(f"{name} must be a number of seconds, not {value!r}")
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name} must be a number of seconds, not {value!r}") from None
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_TIMEOUT_SECONDS:
        raise ConfigurationError(
            f"{name} must be more than 0 and at most {MAX_TIMEOUT_SECONDS} seconds, not {value!r}"
        )
    return seconds


def _split(name: str, text: str) -> SplitResult:
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ConfigurationError(f"{name} is not a valid URL") from None
    return parts
