"""Command-line glue: options for serving the emulator, and a run() that serves until stopped."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from .api_keys import EMULATED_AREAS
from .emulator import Emulator

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the emulator's options to `parser`."""
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="TCP port to listen on; 0 picks a free port (default)"
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a throwaway test CA; its PEM path is printed as ca_bundle_path",
    )
    parser.add_argument(
        "--api-key", help="accept this API key, with every API area, instead of a random one"
    )
    parser.add_argument(
        "--no-rate-limits",
        action="store_true",
        help="turn off the per-key rate limits (10/s, 30/min, 5/min)",
    )
    parser.add_argument(
        "--rate-limit-scale",
        type=float,
        default=1.0,
        help="multiply every rate-limit period by this factor, e.g. 0.01 for 5 calls per 0.6 s "
        "instead of per minute (default: 1.0)",
    )


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM, then stop and return 0.

    Prints one JSON object on stdout: access_url, api_key and ca_bundle_path (null without TLS).
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
    stop_requested = threading.Event()
    previous_handler = _install_sigterm_handler(stop_requested)

    emulator.start()
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
        logger.info("SIGTERM received, stopping")
    except KeyboardInterrupt:
        logger.info("Interrupted, stopping")
    finally:
        emulator.stop()
        _restore_sigterm_handler(previous_handler)
    return 0


SignalHandler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


def _install_sigterm_handler(stop_requested: threading.Event) -> SignalHandler:
    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    try:
        return signal.signal(signal.SIGTERM, request_stop)
    except ValueError:
        # signal.signal works only in the main thread; elsewhere only Ctrl-C stops run().
        logger.debug("Not in the main thread, so SIGTERM is not handled")
        return None


def _restore_sigterm_handler(previous: SignalHandler) -> None:
    if previous is None:
        return
    try:
        signal.signal(signal.SIGTERM, previous)
    except ValueError:
        pass  # not in the main thread, so nothing was installed


def main() -> int:
    """Parse the command line and run the emulator, logging to stderr."""
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
    return run(args)
