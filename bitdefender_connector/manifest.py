"""Manifest loader: reads connector.yaml, the connection asset and actions/*.yaml, and checks them.

The manifest is read once per process. Each action's validators and path template are built
while loading. The compiled validity check of each validator (see fast_validation) is built on
the validator's first use, so the first call of an action costs up to about a millisecond more.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from .conversion import ConversionPlan, build_conversion_plan
from .errors import ManifestError, UnknownActionError
from .manifest_cache import CacheMiss, DocumentSource, ManifestCache, cache_directory
from .path_template import PathTemplate
from .validation import (
    SCHEMA_BASE_URI,
    build_registry,
    build_validator,
    collect_field_errors,
    format_path,
)

try:  # libyaml's loader is several times faster than the pure-Python one.
    _YamlLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _YamlLoader = yaml.SafeLoader

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
META_SCHEMA_FILE = "manifest.schema.json"
DEFINITIONS_FILE = "definitions.json"
# The API area of getApiKeyDetails. It is not on the key's checklist, so an action in it needs
# no entry in connection_test.enabled_api_names.
GENERAL_API_AREA = "General"


@dataclass(frozen=True)
class RateLimitClass:
    """A per-API-key request limit: ``requests`` calls per ``period_seconds``."""

    name: str
    requests: int
    period_seconds: float
    burst: int


@dataclass(frozen=True)
class ConnectionTestSpec:
    """The JSON-RPC call of the connection test, from ``connection_test`` in connector.yaml.

    ``enabled_api_names`` maps an action's ``api_area`` (such as Incidents) to the name that
    getApiKeyDetails lists in ``enabledApis`` (such as incidents).
    """

    endpoint: str
    http_method: str
    jsonrpc_method: str
    enabled_api_names: Mapping[str, str]
    source: str


@dataclass(frozen=True, repr=False)
class Action:
    """One action of the manifest, with its validators and path template built."""

    name: str
    title: str
    description: str
    source: Path
    endpoint: PathTemplate
    http_method: str
    jsonrpc_method: str
    kind: str
    api_area: str
    rate_limit_class: str
    aliases: tuple[str, ...]
    secret_fields: tuple[str, ...]
    date_ranges: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    inputs_schema: Mapping[str, Any]
    output_schema: Mapping[str, Any]
    example_input: Mapping[str, Any]
    example_output: Mapping[str, Any]
    input_validator: Draft202012Validator = field(repr=False)
    output_validator: Draft202012Validator = field(repr=False)
    path_parameter_defaults: Mapping[str, str] = field(default_factory=dict)
    conversion_plan: ConversionPlan = field(default_factory=dict, repr=False)
    document: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def only_reads(self) -> bool:
        return self.kind == "read"

    def __repr__(self) -> str:
        # Short, and without the examples, which may carry a sample password.
        return f"Action({self.name!r}, {self.jsonrpc_method!r})"


@dataclass(frozen=True)
class Manifest:
    """The loaded connector manifest."""

    root: Path
    name: str
    title: str
    version: str
    vendor: str
    description: str
    documentation: str
    connect_timeout: float
    read_timeout: float
    max_attempts: int
    max_retry_wait: float
    connection_schema: Mapping[str, Any]
    rate_limit_classes: Mapping[str, RateLimitClass]
    actions: Mapping[str, Action]
    aliases: Mapping[str, str]
    connection_test: ConnectionTestSpec | None = None

    def action(self, action_id: str) -> Action:
        """Return the action with this id or alias, or raise UnknownActionError."""
        name = self.aliases.get(action_id, action_id)
        try:
            return self.actions[name]
        except KeyError:
            known = ", ".join(sorted(self.actions))
            raise UnknownActionError(
                f"Unknown action {action_id!r}. Run 'bitdefender-connector actions' to list "
                f"them; known actions: {known}"
            ) from None


def default_root() -> Path:
    """Return the folder holding connector.yaml.

    An installed wheel carries the manifest in ``bitdefender_connector/manifest``. A source
    checkout or an editable install uses the repository root beside the package.
    """
    packaged = PACKAGE_DIR / "manifest"
    if (packaged / "connector.yaml").is_file():
        return packaged
    return PACKAGE_DIR.parent


@functools.lru_cache(maxsize=8)
def load_manifest(root: Path | None = None, use_cache: bool = True) -> Manifest:
    """Load and check the manifest under ``root``; the result is cached per root.

    With ``use_cache``, a per-user cache of the checked documents (see manifest_cache) lets a
    new process skip YAML parsing and the meta-schema and example checks while no manifest
    file has changed. Every other check runs on each load.
    """
    root = Path(root) if root else default_root()
    directory = cache_directory() if use_cache else None
    if directory is None:
        return _ManifestReader(root).read()

    cache = ManifestCache(root, directory)
    cached = cache.load()
    if cached is not None:
        try:
            return _ManifestReader(root, DocumentSource(root, cached)).read()
        except (CacheMiss, ManifestError) as error:
            # Not expected while every file matches its hash; a full load decides.
            logger.debug("Reloading the manifest without the cache %s: %s", cache.path, error)
    source = DocumentSource(root)
    manifest = _ManifestReader(root, source).read()
    cache.store(source)
    return manifest


class _ManifestReader:
    def __init__(self, root: Path, source: DocumentSource | None = None) -> None:
        self.root = root
        self.source = source or DocumentSource(root)
        self._shape_validators: dict[str, Draft202012Validator] = {}
        # Documents from a valid cache passed the meta-schema and example checks when the
        # cache was written, by this same code, so those checks are skipped.
        self.checked_before = self.source.from_cache
        schemas_dir = root / "schemas"
        self.meta_schema = self._read_json(schemas_dir / META_SCHEMA_FILE)
        definitions = self._read_json(schemas_dir / DEFINITIONS_FILE)
        self.registry = build_registry(
            {META_SCHEMA_FILE: self.meta_schema, DEFINITIONS_FILE: definitions}
        )

    def read(self) -> Manifest:
        connector_file = self.root / "connector.yaml"
        connector = self._read_yaml(connector_file)
        self._check_shape(connector_file, connector, "connector")

        connection_file = self.root / connector["connection"]
        connection = self._read_yaml(connection_file)
        self._check_shape(connection_file, connection, "asset")

        classes = {
            name: RateLimitClass(
                name, spec["requests"], float(spec["period_seconds"]), spec["burst"]
            )
            for name, spec in connector["rate_limit_classes"].items()
        }
        actions: dict[str, Action] = {}
        for action_id in connector["actions"]:
            actions[action_id] = self._read_action(action_id, classes)
        self._check_unlisted_files(connector["actions"])
        aliases = self._collect_aliases(actions)
        connection_test = self._read_connection_test(connector["connection_test"], actions)

        defaults = connector["defaults"]
        return Manifest(
            root=self.root,
            name=connector["name"],
            title=connector["title"],
            version=connector["version"],
            vendor=connector["vendor"],
            description=connector["description"],
            documentation=connector["documentation"],
            connect_timeout=float(defaults["connect_timeout"]),
            read_timeout=float(defaults["read_timeout"]),
            max_attempts=int(defaults["max_attempts"]),
            max_retry_wait=float(defaults["max_retry_wait"]),
            connection_schema=connection,
            rate_limit_classes=classes,
            actions=actions,
            aliases=aliases,
            connection_test=connection_test,
        )

    def _read_connection_test(
        self, block: Mapping[str, Any], actions: Mapping[str, Action]
    ) -> ConnectionTestSpec:
        """Return the connection test, checking that it maps every area an action needs."""
        names = block["enabled_api_names"]
        for action in actions.values():
            if action.api_area != GENERAL_API_AREA and action.api_area not in names:
                raise ManifestError(
                    f"connector.yaml: connection_test.enabled_api_names: no entry for "
                    f"{action.api_area!r}, the api_area of {self._relative(action.source)}"
                )
        return ConnectionTestSpec(
            endpoint=block["endpoint"],
            http_method=block["method"],
            jsonrpc_method=block["jsonrpc_method"],
            enabled_api_names=dict(names),
            source=" ".join(block["source"].split()),
        )

    def _read_action(self, action_id: str, classes: Mapping[str, RateLimitClass]) -> Action:
        source = self.root / "actions" / f"{action_id}.yaml"
        document = self._read_yaml(source)
        self._check_shape(source, document, "action")
        meta = document["meta"]
        where = self._relative(source)

        if document["name"] != action_id:
            raise ManifestError(
                f"{where}: name: {document['name']!r} must equal the file name {action_id!r}"
            )
        if meta["rate_limit_class"] not in classes:
            raise ManifestError(
                f"{where}: meta.rate_limit_class: {meta['rate_limit_class']!r} is not declared "
                f"in connector.yaml rate_limit_classes ({', '.join(sorted(classes))})"
            )
        input_validator = self._build_validator(source, document, "inputs")
        output_validator = self._build_validator(source, document, "output")
        self._check_method_field(where, document)
        endpoint = PathTemplate(meta["endpoint"])
        path_defaults = self._check_path_parameters(where, document, endpoint)
        resolver = self.registry.resolver(base_uri=f"{SCHEMA_BASE_URI}{action_id}.inputs.json")
        conversion_plan = build_conversion_plan(document["inputs"], resolver)
        self._check_example(where, input_validator, meta["examples"]["input"], "input")
        self._check_example(where, output_validator, meta["examples"]["output"], "output")

        return Action(
            name=action_id,
            title=document["title"],
            description=" ".join(document["description"].split()),
            source=source,
            endpoint=endpoint,
            http_method=meta["method"],
            jsonrpc_method=meta["jsonrpc_method"],
            kind=meta["kind"],
            api_area=meta["api_area"],
            rate_limit_class=meta["rate_limit_class"],
            aliases=tuple(meta.get("aliases", ())),
            secret_fields=tuple(meta.get("secret_fields", ())),
            date_ranges=tuple((item["start"], item["end"]) for item in meta.get("date_ranges", ())),
            notes=tuple(meta.get("notes", ())),
            inputs_schema=document["inputs"],
            output_schema=document["output"],
            example_input=meta["examples"]["input"],
            example_output=meta["examples"]["output"],
            input_validator=input_validator,
            output_validator=output_validator,
            path_parameter_defaults=path_defaults,
            conversion_plan=conversion_plan,
            document=document,
        )

    def _build_validator(
        self, source: Path, document: Mapping[str, Any], key: str
    ) -> Draft202012Validator:
        schema = document[key]
        try:
            if not self.checked_before:
                Draft202012Validator.check_schema(schema)
        except SchemaError as error:
            location = format_path([key, *error.absolute_path])
            raise ManifestError(
                f"{self._relative(source)}: {location}: not a valid JSON Schema: {error.message}"
            ) from None
        return build_validator(schema, f"{document['name']}.{key}.json", self.registry)

    def _check_method_field(self, where: str, document: Mapping[str, Any]) -> None:
        """Require json_body.method to be fixed to the action's JSON-RPC method."""
        expected = document["meta"]["jsonrpc_method"]
        json_body = document["inputs"]["properties"]["json_body"]
        method = json_body.get("properties", {}).get("method", {})
        for keyword in ("const", "default"):
            if method.get(keyword) != expected:
                raise ManifestError(
                    f"{where}: inputs.properties.json_body.properties.method.{keyword}: must be "
                    f"{expected!r}, the action's meta.jsonrpc_method"
                )

    def _check_path_parameters(
        self, where: str, document: Mapping[str, Any], endpoint: PathTemplate
    ) -> dict[str, str]:
        declared = document["inputs"]["properties"].get("path_parameters", {}).get("properties", {})
        missing = sorted(endpoint.placeholders - set(declared))
        if missing:
            raise ManifestError(
                f"{where}: meta.endpoint: placeholder {missing[0]!r} has no schema under "
                "inputs.properties.path_parameters.properties"
            )
        unused = sorted(set(declared) - endpoint.placeholders)
        if unused:
            raise ManifestError(
                f"{where}: inputs.properties.path_parameters.properties.{unused[0]}: not used "
                "in meta.endpoint"
            )
        return {
            name: schema["default"]
            for name, schema in declared.items()
            if isinstance(schema, Mapping) and "default" in schema
        }

    def _check_example(
        self, where: str, validator: Draft202012Validator, example: Any, which: str
    ) -> None:
        if self.checked_before:
            return
        errors = collect_field_errors(validator, example)
        if errors:
            first = errors[0]
            raise ManifestError(f"{where}: meta.examples.{which}: {first.path}: {first.message}")

    def _check_unlisted_files(self, listed: list[str]) -> None:
        for path in sorted((self.root / "actions").glob("*.yaml")):
            if path.stem not in listed:
                raise ManifestError(
                    f"{self._relative(path)}: this action file is not listed under actions in "
                    "connector.yaml; add it there or delete the file"
                )

    def _collect_aliases(self, actions: Mapping[str, Action]) -> dict[str, str]:
        aliases: dict[str, str] = {}
        for action in actions.values():
            for alias in action.aliases:
                if alias in actions or alias in aliases:
                    raise ManifestError(
                        f"{self._relative(action.source)}: meta.aliases: {alias!r} is already "
                        "an action id or another action's alias"
                    )
                aliases[alias] = action.name
        return aliases

    def _check_shape(self, source: Path, document: Any, definition: str) -> None:
        if self.checked_before:
            return
        validator = self._shape_validators.get(definition)
        if validator is None:
            # Built once per definition, because the action shape checks 15 documents.
            schema = {"$ref": f"{META_SCHEMA_FILE}#/$defs/{definition}"}
            validator = build_validator(schema, f"check-{definition}.json", self.registry)
            self._shape_validators[definition] = validator
        errors = collect_field_errors(validator, document)
        if errors:
            details = "; ".join(f"{error.path}: {error.message}" for error in errors[:5])
            raise ManifestError(f"{self._relative(source)}: {details}")

    def _read_yaml(self, path: Path) -> Any:
        try:
            return self.source.load(path, _parse_yaml)
        except OSError as error:
            raise ManifestError(
                f"{self._relative(path)}: cannot be read: {error.strerror}"
            ) from None
        except yaml.YAMLError as error:
            raise ManifestError(f"{self._relative(path)}: invalid YAML: {error}") from None

    def _read_json(self, path: Path) -> Any:
        try:
            return self.source.load(path, json.loads)
        except OSError as error:
            raise ManifestError(
                f"{self._relative(path)}: cannot be read: {error.strerror}"
            ) from None
        except json.JSONDecodeError as error:
            raise ManifestError(f"{self._relative(path)}: invalid JSON: {error}") from None

    def _relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


def _parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_YamlLoader)  # noqa: S506 - a safe loader is chosen above
