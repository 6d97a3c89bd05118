"""Emulator over HTTPS with a trustme test CA."""

from __future__ import annotations

import os

import pytest
import requests

from bitdefender_connector.emulator import Emulator

from .test_emulator_support import GENERAL, EmulatorClient, envelope

pytest.importorskip("trustme")


@pytest.fixture
def emulator():
    with Emulator(tls=True, rate_limits=False) as emulator:
        yield emulator


def test_access_url_is_https(emulator):
    assert emulator.access_url.startswith("https://127.0.0.1:")


def test_ca_bundle_is_a_pem_file(emulator):
    with open(emulator.ca_bundle_path, encoding="ascii") as bundle:
        content = bundle.read()

    assert content.startswith("-----BEGIN CERTIFICATE-----")


def test_call_succeeds_with_ca_bundle(emulator):
    client = EmulatorClient(emulator, verify=emulator.ca_bundle_path)

    response = client.call(GENERAL, "getApiKeyDetails")

    assert response.status_code == 200
    assert response.json()["result"]["enabledApis"] == ["incidents", "quarantine"]


def test_localhost_name_matches_certificate(emulator):
    url = emulator.access_url.replace("127.0.0.1", "localhost")

    response = requests.post(
        f"{url}/{GENERAL}",
        json=envelope("getApiKeyDetails"),
        auth=(emulator.api_key, ""),
        verify=emulator.ca_bundle_path,
        timeout=5,
    )

    assert response.status_code == 200


def test_call_fails_without_ca_bundle(emulator):
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(
            f"{emulator.access_url}/{GENERAL}",
            json=envelope("getApiKeyDetails"),
            auth=(emulator.api_key, ""),
            timeout=5,
        )


def test_server_keeps_serving_after_failed_handshake(emulator):
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(f"{emulator.access_url}/{GENERAL}", json={}, timeout=5)
    client = EmulatorClient(emulator, verify=emulator.ca_bundle_path)

    response = client.call(GENERAL, "getApiKeyDetails")

    assert response.status_code == 200


def test_plain_http_to_tls_port_fails(emulator):
    url = emulator.access_url.replace("https://", "http://")

    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(f"{url}/{GENERAL}", json=envelope("getApiKeyDetails"), timeout=5)


def test_stop_removes_ca_bundle():
    emulator = Emulator(tls=True).start()
    path = emulator.ca_bundle_path

    emulator.stop()

    assert os.path.exists(path) is False
    assert emulator.ca_bundle_path is None


def test_tls_material_for_every_interface():
    from bitdefender_connector.emulator.tls import create_tls_material

    material = create_tls_material("")
    try:
        assert material.ca_bundle_path.is_file()
    finally:
        material.remove_ca_bundle()
