"""Plain path templates render by joining strings, to exactly what Jinja renders."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bitdefender_connector.manifest import load_manifest
from bitdefender_connector.path_template import (
    PathParameterError,
    PathTemplate,
    _environment,
    encode_segment,
)

VALUES = {"type": "computers", "name": "a b%2", "other": "x"}


def jinja_render(source: str, values: dict[str, str]) -> str:
    encoded = {name: encode_segment(name, value) for name, value in values.items()}
    return _environment().from_string(source).render(encoded)


@pytest.mark.parametrize(
    "source",
    [
        "api/v1.0/jsonrpc/quarantine/{{ type }}",
        "api/v1.0/jsonrpc/{{type}}/{{ name }}",
        "api/{{ name }}/{{ name }}/end",
        "{{ other }}",
    ],
)
def test_plain_template_matches_jinja(source):
    template = PathTemplate(source)

    assert template._plain_pieces is not None
    assert template.render(VALUES) == jinja_render(source, VALUES)


@pytest.mark.parametrize(
    "source",
    [
        "api/{{ type | upper }}",
        "api/{% if type %}{{ type }}{% endif %}",
        "api/{{ type }}\n",
        "api/{# note #}{{ type }}",
        "api/{{ none }}/{{ type }}",
    ],
)
def test_other_template_uses_jinja(source):
    template = PathTemplate(source)

    assert template._plain_pieces is None
    assert template.render(VALUES) == jinja_render(source, VALUES)


@pytest.mark.parametrize(
    "source",
    ["api/v1.0/jsonrpc/incidents", "api/v1.0/jsonrpc/quarantine/{{ type }}", "{{ other }}"],
)
def test_placeholders_match_jinja(source):
    import jinja2.meta

    expected = jinja2.meta.find_undeclared_variables(_environment().parse(source))

    assert PathTemplate(source).placeholders == expected


def test_manifest_endpoints_are_plain():
    for action in load_manifest().actions.values():
        assert action.endpoint._plain_pieces is not None, action.name


def test_plain_template_checks_segments():
    template = PathTemplate("api/v1.0/jsonrpc/quarantine/{{ type }}")

    with pytest.raises(PathParameterError):
        template.render({"type": "../general"})
    with pytest.raises(PathParameterError):
        template.render({})


def test_plain_template_skips_jinja_import():
    code = (
        "import sys\n"
        "from bitdefender_connector.path_template import PathTemplate\n"
        "PathTemplate('api/v1.0/jsonrpc/quarantine/{{ type }}').render({'type': 'exchange'})\n"
        "print('jinja2' in sys.modules)\n"
    )

    completed = subprocess.run(  # noqa: S603 - runs this interpreter with the code above
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert completed.stdout.strip() == "False"
