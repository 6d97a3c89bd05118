"""Connection settings: access URL, API key, TLS and proxy options, files and environment."""

from __future__ import annotations

import json
import logging
import socket

import pytest

from bitdefender_connector import ConfigurationError, Connector, NoResponseError
from bitdefender_connector import connection as connection_module
from bitdefender_connector.connection import (
    connection_from_mapping,
    normalize_access_url,
    normalize_api_key,
    normalize_proxy,
    parse_bool,
    settings_from_environment,
    settings_from_file,
)
from bitdefender_connector.retry_policy import RetryPolicy

from .test_spec_examples import restored_example

API_KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
PROXY_PASSWORD = "pr0xy-s3cret-pass"


def closed_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dry_run_url(url: str) -> str:
    result = Connector({"url": url}).run(
        "isolate_host", restored_example("isolate_host"), dry_run=True
    )
    return result["request"]["url"]


@pytest.mark.parametrize(
    "url", ["https://host", "https://host/", "https://host/api", "https://host/api/"]
)
def test_access_url_normalized(url):
    assert normalize_access_url(url) == "https://host/api"


@pytest.mark.parametrize(
    "url", ["https://host", "https://host/", "https://host/api", "https://host/api/"]
)
def test_access_url_incidents_endpoint(url):
    assert dry_run_url(url) == "https://host/api/v1.0/jsonrpc/incidents"


def test_access_url_whitespace_stripped():
    assert normalize_access_url("  https://host/api \n") == "https://host/api"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://host:8443", "https://host:8443/api"),
        ("https://host:8443/api/", "https://host:8443/api"),
        ("https://host/gravityzone", "https://host/gravityzone/api"),
        ("https://host/gravityzone/api", "https://host/gravityzone/api"),
        ("https://10.0.0.5:4443/console/", "https://10.0.0.5:4443/console/api"),
    ],
)
def test_port_and_prefix_kept(url, expected):
    assert normalize_access_url(url) == expected


def test_prefix_in_endpoint_url():
    assert dry_run_url("https://host:8443/gravityzone/") == (
        "https://host:8443/gravityzone/api/v1.0/jsonrpc/incidents"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("host", "https://host/api"),
        ("host/api", "https://host/api"),
        ("host:8443", "https://host:8443/api"),
        ("cloud.gravityzone.bitdefender.com/api", "https://cloud.gravityzone.bitdefender.com/api"),
    ],
)
def test_missing_scheme_gets_https(url, expected):
    assert normalize_access_url(url) == expected


def test_plain_http_accepted(caplog):
    with caplog.at_level(logging.WARNING, logger="bitdefender_connector.connection"):
        url = normalize_access_url("http://127.0.0.1:8080")

    assert url == "http://127.0.0.1:8080/api"


@pytest.fixture
def fresh_warnings(monkeypatch):
    """Forget the connection warnings already logged, because each is logged once per process."""
    monkeypatch.setattr(connection_module, "_warnings_given", set())


def test_plain_http_logs_warning(caplog, fresh_warnings):
    with caplog.at_level(logging.WARNING, logger="bitdefender_connector.connection"):
        normalize_access_url("http://127.0.0.1:8080/api")

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "plain http" in warnings[0].getMessage()


def test_https_logs_no_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="bitdefender_connector.connection"):
        normalize_access_url("https://host/api")

    assert caplog.records == []


@pytest.mark.parametrize(
    "url",
    ["https://host/api?key=1", "https://host/api#section", "https://host/api?", "host/api?x"],
)
def test_query_or_fragment_rejected(url):
    with pytest.raises(ConfigurationError) as caught:
        normalize_access_url(url)

    assert "query or fragment" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        f"https://{API_KEY}:@host/api",
        f"https://user:{API_KEY}@host/api",
        f"https://{API_KEY}@host/api",
    ],
)
def test_url_credentials_rejected(url):
    with pytest.raises(ConfigurationError) as caught:
        normalize_access_url(url)

    assert "credentials" in str(caught.value)
    assert API_KEY not in str(caught.value)


@pytest.mark.parametrize("url", ["ftp://host/api", "file:///etc/passwd", "javascript://host"])
def test_other_scheme_rejected(url):
    with pytest.raises(ConfigurationError) as caught:
        normalize_access_url(url)

    assert "https://" in str(caught.value)


def test_url_number_rejected():
    with pytest.raises(ConfigurationError) as caught:
        normalize_access_url(42)

    assert "url must be a text URL" in str(caught.value)


@pytest.mark.parametrize("url", ["", "   ", None])
def test_missing_url_rejected(url):
    with pytest.raises(ConfigurationError) as caught:
        normalize_access_url(url)

    assert "url is missing" in str(caught.value)


@pytest.mark.parametrize("url", ["https://", "https:///api", "https://host:port/api"])
def test_malformed_url_rejected(url):
    with pytest.raises(ConfigurationError):
        normalize_access_url(url)


def test_missing_url_rejected_for_real_call():
    with pytest.raises(ConfigurationError) as caught:
        connection_from_mapping({"username": API_KEY})

    assert "url" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  key-123  ", "key-123"),
        ("key-123:", "key-123"),
        (" key-123: ", "key-123"),
        ("\tkey-123\n", "key-123"),
    ],
)
def test_api_key_cleaned(value, expected):
    assert normalize_api_key(value) == expected


@pytest.mark.parametrize("value", ["key-123::", "key:123", "key-123:secret"])
def test_api_key_inner_colon_rejected(value):
    # Only one trailing colon is removed. A colon left in the key would end the Basic user name.
    with pytest.raises(ConfigurationError) as caught:
        normalize_api_key(value)

    assert "U+003A" in str(caught.value)
    assert value not in str(caught.value)


@pytest.mark.parametrize("value", ["", "   ", ":", None])
def test_empty_key_rejected(value):
    settings = {"url": "https://127.0.0.1:8443/api", "username": value}

    with pytest.raises(ConfigurationError) as caught:
        connection_from_mapping(settings)

    assert "API key is missing" in str(caught.value)


def test_empty_key_allowed_in_dry_run():
    connection = connection_from_mapping({"url": "https://127.0.0.1:8443"}, require_api_key=False)

    assert connection.api_key == ""


def test_dry_run_without_key():
    result = Connector({"url": "https://127.0.0.1:8443", "username": ""}).run(
        "isolate_host", restored_example("isolate_host"), dry_run=True
    )

    assert result["dry_run"] is True


def test_real_call_without_key_sends_nothing(recording_server):
    connector = Connector({"url": recording_server.url})

    with pytest.raises(ConfigurationError):
        connector.run("isolate_host", restored_example("isolate_host"))

    assert recording_server.requests == []


def test_api_key_not_string():
    with pytest.raises(ConfigurationError) as caught:
        normalize_api_key(12345)

    assert "must be a string" in str(caught.value)


def test_connection_keeps_cleaned_key():
    connection = connection_from_mapping({"url": "https://host", "username": f" {API_KEY}: "})

    assert connection.api_key == API_KEY


@pytest.mark.parametrize(
    "value", ["true", "TRUE", "True", "yes", "YES", "Yes", "1", " true ", True, 1]
)
def test_verify_ssl_true_words(value):
    assert parse_bool("verify_ssl", value) is True


@pytest.mark.parametrize("value", ["false", "FALSE", "False", "no", "NO", "No", "0", False, 0])
def test_verify_ssl_false_words(value):
    assert parse_bool("verify_ssl", value) is False


@pytest.mark.parametrize("value", ["maybe", "2", "", "enabled", "truee", 2, 1.5, None, []])
def test_verify_ssl_other_rejected(value):
    with pytest.raises(ConfigurationError) as caught:
        parse_bool("verify_ssl", value)

    assert "verify_ssl" in str(caught.value)
    assert repr(value) in str(caught.value)


def test_verify_ssl_string_in_settings():
    settings = {"url": "https://host", "username": API_KEY, "verify_ssl": "No"}

    assert connection_from_mapping(settings).verify_ssl is False


def test_verify_ssl_default_true():
    assert connection_from_mapping({"url": "https://host", "username": API_KEY}).verify_ssl is True


def test_verify_ssl_off_logs_warning(caplog, fresh_warnings):
    settings = {"url": "https://host", "username": API_KEY, "verify_ssl": "false"}

    with caplog.at_level(logging.WARNING, logger="bitdefender_connector.connection"):
        connection_from_mapping(settings)

    messages = [r.getMessage() for r in caplog.records]
    assert any("verify_ssl is off" in message for message in messages)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("proxy.local:3128", "http://proxy.local:3128"),
        ("10.1.2.3:8080", "http://10.1.2.3:8080"),
        ("http://proxy.local:3128", "http://proxy.local:3128"),
        ("https://proxy.local:443", "https://proxy.local:443"),
        ("socks5h://proxy.local:1080", "socks5h://proxy.local:1080"),
        ("", None),
        (None, None),
    ],
)
def test_proxy_scheme(value, expected):
    assert normalize_proxy(value) == expected


def test_proxy_bad_scheme_rejected():
    with pytest.raises(ConfigurationError) as caught:
        normalize_proxy(f"ftp://alice:{PROXY_PASSWORD}@proxy.local:21")

    assert "http_proxy" in str(caught.value)
    assert PROXY_PASSWORD not in str(caught.value)
    assert "alice" not in str(caught.value)


def test_proxy_credentials_masked_in_repr():
    settings = {
        "url": "https://host",
        "username": API_KEY,
        "http_proxy": f"http://alice:{PROXY_PASSWORD}@proxy.local:3128",
    }

    text = repr(connection_from_mapping(settings))

    assert PROXY_PASSWORD not in text
    assert "alice" not in text
    assert "********@proxy.local:3128" in text


def test_proxy_credentials_kept_for_use():
    proxy = f"http://alice:{PROXY_PASSWORD}@proxy.local:3128"
    settings = {"url": "https://host", "username": API_KEY, "http_proxy": proxy}

    connection = connection_from_mapping(settings)

    assert connection.http_proxy == proxy
    assert connection.masked_proxy == "http://********@proxy.local:3128"


def test_proxy_failure_masks_credentials(recording_server):
    # The proxy is a closed port on 127.0.0.1, so the connection to it is refused.
    settings = {
        "url": recording_server.url,
        "username": API_KEY,
        "http_proxy": f"http://alice:{PROXY_PASSWORD}@127.0.0.1:{closed_port()}",
    }

    with pytest.raises(NoResponseError) as caught:
        connector = Connector(settings, retry_policy=RetryPolicy(max_attempts=1))
        connector.run("isolate_host", restored_example("isolate_host"))

    assert caught.value.reason_code == "proxy_error"
    assert "http://********@127.0.0.1:" in str(caught.value)
    assert PROXY_PASSWORD not in str(caught.value)
    assert API_KEY not in str(caught.value)
    assert recording_server.requests == []


def test_repr_hides_api_key():
    connection = connection_from_mapping({"url": "https://host", "username": API_KEY})

    assert API_KEY not in repr(connection)
    assert API_KEY not in str(connection)
    assert "api_key='********'" in repr(connection)


def test_repr_hides_password():
    settings = {"url": "https://host", "username": API_KEY, "password": "not-empty-secret"}

    connection = connection_from_mapping(settings)

    assert "not-empty-secret" not in repr(connection)


def test_unknown_field_rejected():
    with pytest.raises(ConfigurationError) as caught:
        connection_from_mapping({"url": "https://host", "api_key": API_KEY})

    assert "'api_key'" in str(caught.value)
    assert API_KEY not in str(caught.value)


def test_password_not_string_rejected():
    with pytest.raises(ConfigurationError) as caught:
        connection_from_mapping({"url": "https://host", "username": API_KEY, "password": 123})

    assert "password" in str(caught.value)


def test_missing_ca_bundle_rejected(tmp_path):
    missing = tmp_path / "missing-ca.pem"
    settings = {"url": "https://host", "username": API_KEY, "ca_bundle": str(missing)}

    with pytest.raises(ConfigurationError) as caught:
        connection_from_mapping(settings)

    assert str(missing) in str(caught.value)


def test_ca_bundle_kept(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    settings = {"url": "https://host", "username": API_KEY, "ca_bundle": str(bundle)}

    assert connection_from_mapping(settings).ca_bundle == str(bundle)


@pytest.mark.parametrize(
    ("value", "expected"), [("5", 5.0), (2.5, 2.5), (30, 30.0), ("", None), (None, None)]
)
def test_timeout_parsed(value, expected):
    settings = {"url": "https://host", "username": API_KEY, "read_timeout": value}

    assert connection_from_mapping(settings).read_timeout == expected


@pytest.mark.parametrize("value", ["0", -1, "soon"])
def test_timeout_rejected(value):
    settings = {"url": "https://host", "username": API_KEY, "connect_timeout": value}

    with pytest.raises(ConfigurationError) as caught:
        connection_from_mapping(settings)

    assert "connect_timeout" in str(caught.value)


def test_settings_from_yaml_file(tmp_path):
    config = tmp_path / "gravityzone.yaml"
    config.write_text(
        "url: https://host:8443\n"
        f"username: '{API_KEY}:'\n"
        "verify_ssl: 'no'\n"
        "http_proxy: proxy.local:3128\n",
        encoding="utf-8",
    )

    connection = connection_from_mapping(settings_from_file(config))

    assert connection.access_url == "https://host:8443/api"
    assert connection.api_key == API_KEY
    assert connection.verify_ssl is False
    assert connection.http_proxy == "http://proxy.local:3128"


def test_settings_from_json_file(tmp_path):
    config = tmp_path / "gravityzone.json"
    config.write_text(
        json.dumps({"url": "https://host", "username": API_KEY, "verify_ssl": True}),
        encoding="utf-8",
    )

    connection = connection_from_mapping(settings_from_file(config))

    assert connection.access_url == "https://host/api"
    assert connection.verify_ssl is True


def test_settings_file_yaml_boolean(tmp_path):
    config = tmp_path / "gravityzone.yaml"
    config.write_text(f"url: host\nusername: {API_KEY}\nverify_ssl: false\n", encoding="utf-8")

    assert connection_from_mapping(settings_from_file(config)).verify_ssl is False


def test_settings_file_missing(tmp_path):
    missing = tmp_path / "absent.yaml"

    with pytest.raises(ConfigurationError) as caught:
        settings_from_file(missing)

    assert str(missing) in str(caught.value)


def test_settings_file_invalid_yaml(tmp_path):
    config = tmp_path / "broken.yaml"
    config.write_text("url: [https://host\nusername: x\n", encoding="utf-8")

    with pytest.raises(ConfigurationError) as caught:
        settings_from_file(config)

    assert "not valid YAML or JSON" in str(caught.value)


@pytest.mark.parametrize("text", ["- url\n- username\n", "just text\n", ""])
def test_settings_file_not_mapping(text, tmp_path):
    config = tmp_path / "list.yaml"
    config.write_text(text, encoding="utf-8")

    with pytest.raises(ConfigurationError) as caught:
        settings_from_file(config)

    assert "mapping" in str(caught.value)


def test_settings_from_environment(monkeypatch, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    monkeypatch.setenv("BITDEFENDER_URL", "https://host/gz/")
    monkeypatch.setenv("BITDEFENDER_API_KEY", f" {API_KEY} ")
    monkeypatch.setenv("BITDEFENDER_VERIFY_SSL", "YES")
    monkeypatch.setenv("BITDEFENDER_CA_BUNDLE", str(bundle))
    monkeypatch.setenv("BITDEFENDER_HTTP_PROXY", "proxy.local:3128")

    connection = connection_from_mapping(settings_from_environment())

    assert connection.access_url == "https://host/gz/api"
    assert connection.api_key == API_KEY
    assert connection.verify_ssl is True
    assert connection.ca_bundle == str(bundle)
    assert connection.http_proxy == "http://proxy.local:3128"


def test_environment_mapping_argument():
    environ = {
        "BITDEFENDER_URL": "https://host",
        "BITDEFENDER_API_KEY": API_KEY,
        "BITDEFENDER_VERIFY_SSL": "",
        "UNRELATED": "x",
    }

    assert settings_from_environment(environ) == {"url": "https://host", "username": API_KEY}


def test_environment_unset_gives_nothing():
    assert settings_from_environment({}) == {}


def test_access_url_upper_case_api():
    assert normalize_access_url("https://gz.example.test/API") == "https://gz.example.test/api"


def test_access_url_with_jsonrpc_path_rejected():
    with pytest.raises(ConfigurationError, match="access URL only"):
        normalize_access_url("https://gz.example.test/api/v1.0/jsonrpc/incidents")
