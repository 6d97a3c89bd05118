"""Command-line glue: options for serving the emulator, and a run() that serves until stopped."""

from __future__ import annotations

import argparse
import errno
import json
import logging
import math
import signal
import socket
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from ..errors import ConfigurationError, ConnectorError
from .api_keys import EMULATED_AREAS
from .emulator import Emulator

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the emulator's options to `parser`."""
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=_port_number,
        default=0,
        help="TCP port to listen on, 0 to 65535; 0 picks a free port (default)",
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a throwaway test CA; its PEM path is printed as ca_bundle_path",
    )
    parser.add_argument(
        "--api-key",
        type=_api_key,
        help="accept this API key, with every API area, instead of a random one; it must not "
        "contain ':'",
    )
    parser.add_argument(
        "--no-rate-limits",
        action="store_true",
        help="turn off the per-key rate limits (10/s, 30/min, 5/min)",
    )
    parser.add_argument(
        "--rate-limit-scale",
        type=_positive_scale,
        default=1.0,
        help="multiply every rate-limit period by this factor, e.g. 0.01 for 5 calls per 0.6 s "
        "instead of per minute (default: 1.0)",
    )


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM, then stop and return 0.

    Prints one JSON object on stdout: access_url, api_key and ca_bundle_path (null without TLS).
    Raises ConfigurationError (exit code 2) when the emulator cannot listen on --host and --port,
    or when --tls is given without the trustme package.
    """
    api_keys = {args.api_key: EMULATED_AREAS} if args.api_key else None
    emulator = Emulator(
        host=args.host,
        port=args.port,
        tls=args.tls,
        api_keys=api_keys,
        rate_limits=not args.no_rate_limits,
        rate_limit_scale=args.rate_limit_scale,
    )
    _check_host_resolves(args.host)
    try:
        emulator.start()
    except OSError as error:
        raise _listen_error(args.host, args.port, error) from None
    except RuntimeError as error:
        # create_tls_material raises RuntimeError when trustme is not installed.
        raise ConfigurationError(str(error)) from None

    stop_requested = threading.Event()
    previous_handler = _install_sigterm_handler(stop_requested)
    try:
        details = {
            "access_url": emulator.access_url,
            "api_key": emulator.api_key,
            "ca_bundle_path": emulator.ca_bundle_path,
        }
        print(json.dumps(details), flush=True)
        logger.info("Serving until Ctrl-C or SIGTERM")
        while not stop_requested.wait(0.5):
            pass
        logger.info("SIGTERM or SIGINT received, stopping")
    except KeyboardInterrupt:
        logger.info("Interrupted, stopping")
    finally:
        emulator.stop()
        _restore_sigterm_handler(previous_handler)
    return 0


def _api_key(value: str) -> str:
    if not value:
        raise argparse.ArgumentTypeError("must not be empty")
    if ":" in value:
        raise argparse.ArgumentTypeError(
            "must not contain ':', because clients send the key as the HTTP Basic user name"
        )
    return value


def _port_number(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not between 0 and 65535")
    return port


def _positive_scale(value: str) -> float:
    try:
        scale = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not math.isfinite(scale) or scale <= 0:
        raise argparse.ArgumentTypeError(f"{value} is not a finite number greater than 0")
    return scale


def _check_host_resolves(host: str) -> None:
    """Raise ConfigurationError unless ``host`` resolves to an IPv4 address.

    The server listens on IPv4 only. An empty host, which means every interface, is not looked up.
    """
    if not host:
        return
    try:
        socket.getaddrinfo(host, None, family=socket.AF_INET, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise _unresolved_host_error(host, error) from None


def _unresolved_host_error(host: str, error: socket.gaierror) -> ConfigurationError:
    return ConfigurationError(
        f"--host {host} could not be resolved to an IPv4 address ({error.strerror}). Pass an "
        "IPv4 address or a local host name, such as 127.0.0.1 or localhost"
    )


def _listen_error(host: str, port: int, error: OSError) -> ConfigurationError:
    """Return the ConfigurationError for a failure to bind ``host`` and ``port``."""
    if isinstance(error, socket.gaierror):
        return _unresolved_host_error(host, error)
    if error.errno == errno.EADDRINUSE:
        return ConfigurationError(
            f"Port {port} on {host} is already in use. Pass another --port, or --port 0 to pick "
            "a free port"
        )
    if error.errno == errno.EACCES:
        return ConfigurationError(
            f"Permission to listen on port {port} of {host} was denied. Ports below 1024 usually "
            "need administrator rights, so pass another --port, or --port 0 to pick a free port"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return ConfigurationError(
            f"--host {host} is not an address of this machine. Pass a local address, such as "
            "127.0.0.1"
        )
    return ConfigurationError(
        f"The emulator could not listen on {host} port {port}: {error.strerror or error}. Check "
        "--host and --port"
    )


SignalHandler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


# SIGINT is handled explicitly too: a shell starts background jobs with SIGINT ignored, and
# Python then raises no KeyboardInterrupt, so `kill -INT` would not stop the emulator.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _install_sigterm_handler(stop_requested: threading.Event) -> dict[int, SignalHandler]:
    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    previous: dict[int, SignalHandler] = {}
    try:
        for signal_number in STOP_SIGNALS:
            previous[signal_number] = signal.signal(signal_number, request_stop)
    except ValueError:
        # signal.signal works only in the main thread; elsewhere only Ctrl-C stops run().
        logger.debug("Not in the main thread, so SIGTERM and SIGINT are not handled")
    return previous


def _restore_sigterm_handler(previous: dict[int, SignalHandler]) -> None:
    for signal_number, handler in previous.items():
        try:
            signal.signal(signal_number, handler)
        except ValueError:
            pass  # not in the main thread, so nothing was installed


def main() -> int:
    """Parse the command line and run the emulator, logging to stderr.

    A ConnectorError from run() is printed on stdout as a JSON error object, as the
    bitdefender-connector command does.
    """
    parser = argparse.ArgumentParser(
        prog="python -m bitdefender_connector.emulator",
        description="Serve a local emulator of the GravityZone Control Center JSON-RPC API.",
    )
    add_arguments(parser)
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="log level on stderr; DEBUG logs one line per request (default: INFO)",
    )
    args = parser.parse_args()
    logging.basicConfig(
        level=args.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return run(args)
    except ConnectorError as error:
        logger.error("%s", error)
        print(json.dumps(error.to_dict()), flush=True)
        return error.exit_code
