"""A local emulator of the GravityZone Control Center JSON-RPC API, for tests and demos."""

from .emulator import Emulator
from .faults import Fault
from .recording import RecordedRequest

__all__ = ["Emulator", "Fault", "RecordedRequest"]
