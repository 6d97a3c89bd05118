"""Command-line interface: ``bitdefender-connector`` and ``python -m bitdefender_connector``.

stdout carries exactly one JSON document; logs and summaries go to stderr. Exit codes: 0 success,
1 the service returned a failure, 2 invalid input, configuration or usage (nothing sent),
3 no response.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import logging
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import EXIT_SUCCESS, ActionFailedError, ConnectorError
from .manifest import Manifest, load_manifest

logger = logging.getLogger("bitdefender_connector")

# Subcommands in their own modules: (name, module, help). Each module provides
# add_arguments(parser) and run(args) -> exit code, and keeps heavy imports inside run().
COMMAND_MODULES: list[tuple[str, str, str]] = [
    ("emulator", ".emulator.command", "serve a local GravityZone emulator"),
    ("demo", ".demo", "run every action's example against a local emulator"),
    (
        "test-connection",
        ".connection_test",
        "check the access URL, TLS, proxy and API key, and list the actions the key can run",
    ),
    ("docs", ".reference_docs", "write the action reference in Markdown from the manifest"),
    ("mcp", ".mcp_server", "serve the actions as MCP tools over stdio (needs the mcp extra)"),
]


class UsageError(ConnectorError):
    """The command line is invalid."""

    error_type = "usage"


class _ArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser that raises UsageError, so usage errors also print one JSON document."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message}. Run '{self.prog} --help' for usage")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = build_parser(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except UsageError as error:
        return _print_error(error)
    _configure_logging(args.verbose)
    try:
        return args.handler(args)
    except ActionFailedError as error:
        logger.error("%s", error)
        # The envelope keeps its four fields, and "error" gives a platform the reason for the
        # failure, for example a result of true whose response id does not match.
        print_json({**error.envelope, **error.to_dict()})
        return error.exit_code
    except ConnectorError as error:
        return _print_error(error)
    except KeyboardInterrupt:
        logger.error(
            "Interrupted. A request may already have been sent: check Control Center before "
            "running a task action again"
        )
        return 130


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand.

    With ``argv``, only the COMMAND_MODULES subcommand named in it is imported and gets its
    options, which keeps the emulator and other unused modules out of a ``run`` process.
    The other subcommands keep their name and help line.
    """
    parser = _ArgumentParser(
        prog="bitdefender-connector",
        description="Run Bitdefender GravityZone actions declared in the connector manifest.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more on stderr (-vv for debug)"
    )
    parser.add_argument(
        "--manifest",
        metavar="DIR",
        help="folder holding connector.yaml, actions/ and schemas/ (default: the packaged one)",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_ArgumentParser)
    # -v is accepted after the subcommand too. SUPPRESS keeps the count given before it.
    verbosity = argparse.ArgumentParser(add_help=False)
    verbosity.add_argument(
        "-v", "--verbose", action="count", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    add_parser = functools.partial(commands.add_parser, parents=[verbosity])

    actions = add_parser("actions", help="list the actions")
    actions.set_defaults(handler=_list_actions)

    describe = add_parser("describe", help="show an action's schemas and examples")
    describe.add_argument("action", help="action id or alias")
    describe.set_defaults(handler=_describe_action)

    run = add_parser("run", help="run an action")
    run.add_argument("action", help="action id or alias")
    source = run.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--input",
        metavar="JSON|@FILE|-",
        help="the action input as JSON text, @file or - for stdin",
    )
    source.add_argument(
        "--example", action="store_true", help="use the action's example input from the manifest"
    )
    add_config_argument(run)
    run.add_argument(
        "--dry-run", action="store_true", help="print the request instead of sending it"
    )
    run.add_argument(
        "--all-pages",
        action="store_true",
        help="for a list action, request every page (perPage 100 unless the input sets it) and "
        "print one envelope with all items",
    )
    run.add_argument(
        "--max-items",
        type=int,
        metavar="N",
        help="with --all-pages, stop once N items are collected and return only those",
    )
    add_call_arguments(run)
    run.set_defaults(handler=_run_action)

    validate = add_parser("validate", help="check the manifest")
    validate.set_defaults(handler=_validate_manifest)

    _add_command_modules(add_parser, argv)
    return parser


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    """Add the --config option of commands that need a connection."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="YAML or JSON file with url, username (API key), password, verify_ssl, ca_bundle and "
        "http_proxy; without it the BITDEFENDER_* environment variables are read",
    )


def add_call_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the retry and rate-limit options of commands that send calls."""
    parser.add_argument(
        "--max-attempts",
        type=int,
        metavar="N",
        help="total attempts per call, the first included; 1 turns retries off "
        "(default: connector.yaml defaults.max_attempts)",
    )
    parser.add_argument(
        "--max-retry-wait",
        type=float,
        metavar="SECONDS",
        help="seconds of waiting between retries, summed per call "
        "(default: connector.yaml defaults.max_retry_wait)",
    )
    parser.add_argument(
        "--no-rate-limit",
        action="store_true",
        help="do not pace calls to GravityZone's per-key limits in this process",
    )


def connector_from_args(args: argparse.Namespace, manifest: Manifest) -> Any:
    """Return a Connector configured from --config and the retry and rate-limit options."""
    from .connector import Connector
    from .retry_policy import RetryPolicy

    max_attempts = args.max_attempts if args.max_attempts is not None else manifest.max_attempts
    max_wait = args.max_retry_wait if args.max_retry_wait is not None else manifest.max_retry_wait
    if max_attempts < 1:
        raise UsageError("--max-attempts must be at least 1")
    if not 0 <= max_wait < math.inf:
        raise UsageError("--max-retry-wait must be a finite number of seconds, 0 or more")
    return Connector(
        load_connection_settings(args.config),
        manifest=manifest,
        retry_policy=RetryPolicy(max_attempts=max_attempts, max_total_wait=max_wait),
        rate_limiting=not args.no_rate_limit,
    )


def _add_command_modules(add_parser: Callable[..., Any], argv: Sequence[str] | None) -> None:
    """Add the subcommands that live in their own modules, importing only the one in ``argv``.

    Every module is imported when ``argv`` is None. A word of ``argv`` that only looks like a
    subcommand, such as an option's value, costs an unneeded import and nothing else.
    """
    for name, module_name, help_text in COMMAND_MODULES:
        subparser = add_parser(name, help=help_text)
        if argv is not None and name not in argv:
            continue
        module = importlib.import_module(module_name, __package__)
        module.add_arguments(subparser)
        subparser.set_defaults(handler=module.run)


def manifest_from_args(args: argparse.Namespace) -> Manifest:
    """Return the manifest from --manifest, or the packaged one."""
    return load_manifest(Path(args.manifest) if args.manifest else None)


def _list_actions(args: argparse.Namespace) -> int:
    manifest = manifest_from_args(args)
    rows = [
        {
            "id": action.name,
            "title": action.title,
            "jsonrpc_method": action.jsonrpc_method,
            "http_method": action.http_method,
            "endpoint": action.endpoint.source,
            "kind": action.kind,
            "api_area": action.api_area,
            "aliases": list(action.aliases),
        }
        for action in manifest.actions.values()
    ]
    print_json(rows)
    return EXIT_SUCCESS


def _describe_action(args: argparse.Namespace) -> int:
    action = manifest_from_args(args).action(args.action)
    print_json(
        {
            "id": action.name,
            "title": action.title,
            "description": action.description,
            "http_method": action.http_method,
            "endpoint": action.endpoint.source,
            "jsonrpc_method": action.jsonrpc_method,
            "kind": action.kind,
            "api_area": action.api_area,
            "rate_limit_class": action.rate_limit_class,
            "aliases": list(action.aliases),
            "notes": list(action.notes),
            "inputs": action.inputs_schema,
            "output": action.output_schema,
            "examples": {"input": action.example_input, "output": action.example_output},
        }
    )
    return EXIT_SUCCESS


def _run_action(args: argparse.Namespace) -> int:
    manifest = manifest_from_args(args)
    action = manifest.action(args.action)
    inputs = action.example_input if args.example else read_input(args.input)
    with connector_from_args(args, manifest) as connector:
        result = connector.run(
            action.name,
            inputs,
            dry_run=args.dry_run,
            all_pages=args.all_pages,
            max_items=args.max_items,
        )
    print_json(result)
    return EXIT_SUCCESS


def _validate_manifest(args: argparse.Namespace) -> int:
    from .errors import ManifestError
    from .swimlane_shape import check_swimlane_shape

    # Every check runs, so a manifest cache written by this code is not consulted.
    manifest = load_manifest(Path(args.manifest) if args.manifest else None, use_cache=False)
    problems = check_swimlane_shape(manifest.root)
    if problems:
        raise ManifestError("Swimlane could not load the manifest: " + "; ".join(problems))
    print_json({"valid": True, "root": str(manifest.root), "actions": len(manifest.actions)})
    return EXIT_SUCCESS


def read_input(value: str) -> Any:
    """Return the action input parsed from JSON text, ``@FILE`` or ``-`` (stdin)."""
    if value == "-":
        text, origin = _decode_utf8(sys.stdin.buffer.read(), "standard input"), "standard input"
    elif value.startswith("@"):
        origin = value[1:]
        if not origin:
            raise UsageError("--input @ needs a file name, for example --input @input.json")
        try:
            data = Path(origin).read_bytes()
        except OSError as error:
            raise UsageError(f"Cannot read the input file {origin}: {error.strerror}") from None
        text = _decode_utf8(data, f"the input file {origin}")
    else:
        text, origin = value, "--input"
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"The input from {origin} is not valid JSON: {error.msg} at line {error.lineno} "
            f"column {error.colno}"
        ) from None
    except RecursionError:
        raise UsageError(
            f"The input from {origin} nests arrays or objects too deeply to read"
        ) from None


def _decode_utf8(data: bytes, origin: str) -> str:
    """Return UTF-8 text, with a leading byte order mark removed, or raise UsageError."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(
            f"The input from {origin} is not UTF-8 text (invalid byte at position {error.start})"
        ) from None


def load_connection_settings(config: str | None) -> dict[str, Any]:
    """Return connection fields from the BITDEFENDER_* environment variables and ``--config``.

    A field set in the config file wins over the same field from the environment.
    """
    from .connection import settings_from_environment, settings_from_file

    settings = settings_from_environment()
    if config:
        settings.update(settings_from_file(config))
    return settings


def _configure_logging(verbosity: int) -> None:
    if verbosity == 0:
        level = logging.WARNING
    elif verbosity == 1:
        level = logging.INFO
    else:
        level = logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("bitdefender-connector: %(levelname)s: %(message)s"))
    root = logging.getLogger("bitdefender_connector")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def _print_error(error: ConnectorError) -> int:
    logger.error("%s", error)
    print_json(error.to_dict())
    return error.exit_code


def print_json(data: Any) -> None:
    """Write ``data`` to stdout as one JSON document."""
    # ASCII escapes keep the output intact on a stdout whose encoding is not UTF-8.
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=True) + "\n")
    sys.stdout.flush()
