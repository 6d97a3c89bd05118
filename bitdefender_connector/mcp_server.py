"""The ``mcp`` command: serves the manifest's actions as Model Context Protocol tools over stdio.

Each action becomes one tool named by its action id, with the manifest's title, description and
input schema. Tool annotations follow the action's ``meta.kind``: ``read`` actions are read-only
and idempotent, and ``task`` and ``config`` actions are destructive and not idempotent.

Unless the server was started with ``--allow-writes``, a destructive tool checks its input and
returns the dry-run request without sending it. Read-only tools always send their request.

The official MCP Python SDK (``pip install 'bitdefender-connector[mcp]'``) is imported only when
the command runs, so the core package does not need it. The server uses the SDK's low-level
``Server``, because it publishes each tool's input schema exactly as given.
"""

from __future__ import annotations

import argparse
import copy
import inspect
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .errors import ActionFailedError, ConnectorError, ManifestError
from .manifest import Action, Manifest

logger = logging.getLogger(__name__)

SERVER_NAME = "bitdefender-gravityzone"
DEFINITIONS_FILE = "definitions.json"
DEFINITIONS_REF_PREFIX = "definitions.json#/$defs/"
LOCAL_REF_PREFIX = "#/$defs/"

# Effect of a destructive tool by meta.kind, quoted in the message of a call that was not sent.
KIND_EFFECTS = {
    "task": "creates a task on endpoints",
    "config": "changes GravityZone configuration",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the mcp command's options."""
    from .cli import add_call_arguments, add_config_argument

    add_config_argument(parser)
    parser.add_argument(
        "--allow-writes",
        action="store_true",
        help="send the requests of tools that create tasks or change configuration; without it "
        "those tools return the dry-run request and send nothing",
    )
    add_call_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Serve the tools over stdio until the client closes the connection, and return 0.

    stdout is the MCP channel, so a start-up failure writes its JSON error object to stderr,
    leaves stdout empty and returns the error's exit code (2 for invalid configuration).
    """
    try:
        toolset, serve = _prepare(args)
    except ConnectorError as error:
        sys.stderr.write(json.dumps(error.to_dict(), ensure_ascii=False) + "\n")
        sys.stderr.flush()
        return error.exit_code

    import anyio  # a dependency of the mcp SDK, which _prepare imported

    logger.info(
        "Serving %d tools over stdio; destructive tools %s",
        len(toolset.actions),
        "send their requests" if args.allow_writes else "return dry runs only",
    )
    with toolset.connector:
        anyio.run(serve)
    logger.info("The MCP client closed the connection; the server stops")
    return 0


def _prepare(args: argparse.Namespace) -> tuple[ToolSet, Callable[[], Awaitable[None]]]:
    """Check the SDK, manifest and connection settings, and return the tools and the serve loop.

    Raises ConnectorError before anything is written to stdout.
    """
    try:
        from mcp.server.stdio import stdio_server
    except ImportError:
        from .cli import UsageError

        raise UsageError(
            "The mcp command needs the MCP Python SDK. Install it with "
            "pip install 'bitdefender-connector[mcp]'"
        ) from None

    from .cli import connector_from_args, load_connection_settings, manifest_from_args
    from .connection import connection_from_mapping

    manifest = manifest_from_args(args)
    # Check url and the API key now, so that the MCP client shows one start-up error instead
    # of the same error on every tool call.
    connection_from_mapping(load_connection_settings(args.config))
    connector = connector_from_args(args, manifest)
    toolset = ToolSet(manifest, connector, allow_writes=args.allow_writes)
    server = build_server(toolset)

    async def serve() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    return toolset, serve


class ToolSet:
    """The manifest's actions as MCP tool definitions, and the calls that run them."""

    def __init__(self, manifest: Manifest, connector: Any, allow_writes: bool) -> None:
        self.actions = dict(manifest.actions)
        self.connector = connector
        self.allow_writes = allow_writes
        definitions = _read_definitions(manifest)
        self.definitions = [
            tool_definition(action, definitions) for action in self.actions.values()
        ]

    async def call(self, name: str, arguments: Mapping[str, Any] | None) -> dict[str, Any]:
        """Run the tool ``name`` and return the CallToolResult fields as a mapping.

        The keys are ``content`` (text), ``structuredContent`` and ``isError``. Connector errors
        become tool errors with the CLI's message, so that the model can read and fix them.
        """
        import anyio.to_thread

        action = self.actions.get(name)
        if action is None:
            logger.warning("Tool call rejected: unknown tool %r", name)
            known = ", ".join(sorted(self.actions))
            return _error_result(f"Unknown tool {name!r}; the tools are: {known}", None)
        dry_run = not action.only_reads and not self.allow_writes
        inputs = dict(arguments or {})
        logger.info("Tool call %s (dry run: %s)", name, dry_run)
        try:
            result = await anyio.to_thread.run_sync(
                lambda: self.connector.run(action.name, inputs, dry_run=dry_run)
            )
        except ActionFailedError as error:
            logger.warning("Tool %s failed: %s", name, error)
            structured = error.to_dict()
            structured["envelope"] = error.envelope
            return _error_result(str(error), structured)
        except ConnectorError as error:
            logger.warning("Tool %s failed: %s", name, error)
            return _error_result(str(error), error.to_dict())
        except Exception:
            # The text of an unexpected exception may quote anything, so the client gets a
            # generic message and the traceback goes to the server's log on stderr.
            logger.exception("Tool %s raised an unexpected error", name)
            return _error_result(
                f"{name} failed with an internal error; see the MCP server's log on stderr", None
            )
        if dry_run:
            return _result(_dry_run_summary(action), result)
        return _result(summarize_envelope(action, result), result)


def tool_definition(action: Action, definitions: Mapping[str, Any]) -> dict[str, Any]:
    """Return the MCP tool definition of ``action``, with the field names the protocol uses."""
    read_only = action.only_reads
    return {
        "name": action.name,
        "title": action.title,
        "description": action.description,
        "inputSchema": bundle_schema(action.inputs_schema, definitions),
        "annotations": {
            "title": action.title,
            "readOnlyHint": read_only,
            "destructiveHint": not read_only,
            "idempotentHint": read_only,
            "openWorldHint": True,
        },
    }


def bundle_schema(schema: Mapping[str, Any], definitions: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``schema`` with each ``definitions.json#/$defs/NAME`` copied into its own $defs.

    MCP clients validate tool input on their own and cannot fetch definitions.json, so each
    tool's input schema must resolve every ``$ref`` inside itself. Raises ManifestError for a
    reference to any other document.
    """
    shared = definitions.get("$defs", {})
    bundled: dict[str, Any] = {}

    def include(name: str) -> None:
        if name in bundled:
            return
        if name not in shared:
            raise ManifestError(f"schemas/{DEFINITIONS_FILE}: $defs.{name}: is not defined")
        bundled[name] = {}
        bundled[name] = rewrite(shared[name], in_definitions=True)

    def rewrite(node: Any, in_definitions: bool) -> Any:
        if isinstance(node, list):
            return [rewrite(item, in_definitions) for item in node]
        if not isinstance(node, Mapping):
            return node
        result = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                result[key] = rewrite_ref(value, in_definitions)
            else:
                result[key] = rewrite(value, in_definitions)
        return result

    def rewrite_ref(ref: str, in_definitions: bool) -> str:
        if ref.startswith(DEFINITIONS_REF_PREFIX):
            name = ref.removeprefix(DEFINITIONS_REF_PREFIX)
        elif in_definitions and ref.startswith(LOCAL_REF_PREFIX):
            name = ref.removeprefix(LOCAL_REF_PREFIX)
        else:
            raise ManifestError(
                f"$ref {ref!r} cannot be bundled into an MCP tool schema; refer to "
                f"{DEFINITIONS_REF_PREFIX}NAME instead"
            )
        include(name)
        return LOCAL_REF_PREFIX + name

    if "$defs" in schema:
        raise ManifestError(
            "an action's inputs must not declare their own $defs; put shared schemas in "
            f"schemas/{DEFINITIONS_FILE}"
        )
    bundled_schema = rewrite(copy.deepcopy(dict(schema)), in_definitions=False)
    if bundled:
        bundled_schema["$defs"] = dict(sorted(bundled.items()))
    return bundled_schema


def summarize_envelope(action: Action, envelope: Mapping[str, Any]) -> str:
    """Return a one-line summary such as ``isolate_host succeeded: HTTP 200 OK, result true``."""
    from .demo import summarize_result

    return (
        f"{action.name} succeeded: HTTP {envelope.get('status_code')} {envelope.get('reason')}, "
        f"{summarize_result(dict(envelope))}"
    )


def build_server(toolset: ToolSet) -> Any:
    """Return an MCP low-level Server that lists and calls the tools of ``toolset``.

    mcp 2 takes the handlers as ``on_list_tools`` and ``on_call_tool`` arguments. mcp 1
    registers them with decorators, and its own input validation is turned off so that
    invalid input gets the connector's message with the field path.
    """
    import mcp.types as types
    from mcp.server.lowlevel import Server

    from . import __version__

    def list_tools() -> list[Any]:
        return [types.Tool.model_validate(definition) for definition in toolset.definitions]

    async def call_tool(name: str, arguments: Mapping[str, Any] | None) -> Any:
        return types.CallToolResult.model_validate(await toolset.call(name, arguments))

    if "on_call_tool" in inspect.signature(Server.__init__).parameters:

        async def on_list_tools(context: Any, params: Any) -> Any:
            return types.ListToolsResult(tools=list_tools())

        async def on_call_tool(context: Any, params: Any) -> Any:
            return await call_tool(params.name, params.arguments)

        return Server(
            SERVER_NAME,
            version=__version__,
            on_list_tools=on_list_tools,
            on_call_tool=on_call_tool,
        )

    server = Server(SERVER_NAME, version=__version__)

    async def v1_list_tools() -> list[Any]:
        return list_tools()

    server.list_tools()(v1_list_tools)
    server.call_tool(validate_input=False)(call_tool)
    return server


def _read_definitions(manifest: Manifest) -> Mapping[str, Any]:
    path = manifest.root / "schemas" / DEFINITIONS_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ManifestError(f"schemas/{DEFINITIONS_FILE}: cannot be read: {error}") from None


def _dry_run_summary(action: Action) -> str:
    effect = KIND_EFFECTS.get(action.kind, "changes GravityZone")
    return (
        f"Not sent: {action.name} {effect}, and this MCP server was started without "
        "--allow-writes. The structured content is the request it would send."
    )


def _result(text: str, structured: Any) -> dict[str, Any]:
    return {
        "content": [{"type": "text", "text": text}],
        "structuredContent": structured,
        "isError": False,
    }


def _error_result(message: str, structured: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"content": [{"type": "text", "text": message}], "isError": True}
    if structured is not None:
        result["structuredContent"] = structured
    return result
