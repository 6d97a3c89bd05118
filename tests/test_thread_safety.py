"""One Connector shared by 8 threads against the emulator: every response matches its request."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest

from bitdefender_connector import Connector
from bitdefender_connector.emulator import Emulator
from bitdefender_connector.manifest import load_manifest

from .conftest import PROXY_ENVIRONMENT_VARIABLES

THREADS = 8
CALLS_PER_THREAD = 30
# A read action, a task action and an action whose URL has a path parameter.
ACTIONS = ("get_block_list_items", "isolate_host", "get_quarantine_items")


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch):
    for name in PROXY_ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with Emulator(rate_limits=False) as emulator:
        yield emulator


def with_request_id(example: dict[str, Any], request_id: str) -> dict[str, Any]:
    return {**example, "json_body": {**example["json_body"], "id": request_id}}


def run_threads(connector: Connector) -> tuple[dict[str, Any], list[str]]:
    """Run every thread's calls at once; return the received id per sent id, and the errors."""
    examples = {name: load_manifest().action(name).example_input for name in ACTIONS}
    received: dict[str, Any] = {}
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(thread_number: int) -> None:
        start.wait()
        for call in range(CALLS_PER_THREAD):
            action = ACTIONS[(thread_number + call) % len(ACTIONS)]
            request_id = f"thread-{thread_number}-call-{call}"
            try:
                envelope = connector.run(action, with_request_id(examples[action], request_id))
            except Exception as error:  # every failure is collected and asserted on below
                with lock:
                    errors.append(f"{action} {request_id}: {type(error).__name__}: {error}")
                continue
            with lock:
                received[request_id] = envelope["json_body"]["id"]

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a worker thread hung"
    return received, errors


def test_shared_connector_matches_request_ids(emulator: Emulator):
    settings = {"url": emulator.access_url, "username": emulator.api_key}
    with Connector(settings, rate_limiting=False) as connector:
        received, errors = run_threads(connector)

    assert errors == []
    assert len(received) == THREADS * CALLS_PER_THREAD
    mismatched = {sent: got for sent, got in received.items() if sent != got}
    assert mismatched == {}


def test_shared_connector_sends_each_id_once(emulator: Emulator):
    settings = {"url": emulator.access_url, "username": emulator.api_key}
    with Connector(settings, rate_limiting=False) as connector:
        received, errors = run_threads(connector)

    assert errors == []
    sent_ids = Counter(request.json["id"] for request in emulator.requests)
    assert set(sent_ids) == set(received)
    assert max(sent_ids.values()) == 1
