"""Declarative connector for the Bitdefender GravityZone Control Center JSON-RPC API."""

__version__ = "0.1.0"

from .connector import Connector  # noqa: E402
from .errors import (  # noqa: E402
    ActionFailedError,
    ConfigurationError,
    ConnectorError,
    InputError,
    ManifestError,
    NoResponseError,
    UnknownActionError,
)

__all__ = [
    "ActionFailedError",
    "ConfigurationError",
    "Connector",
    "ConnectorError",
    "InputError",
    "ManifestError",
    "NoResponseError",
    "UnknownActionError",
    "__version__",
]
