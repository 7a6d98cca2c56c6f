"""Fixtures for the relay: a fake Graph API and real relay servers on loopback."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from relay_harness import (
    ACCESS_TOKEN,
    APP_SECRET,
    DESK_TOKEN,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    FakeGraph,
    RelayClient,
    ServerThread,
)

from relay.app import create_app
from relay.config import RelayConfig


@pytest.fixture(scope="session")
def _graph_server() -> Iterator[tuple[FakeGraph, str]]:
    graph = FakeGraph()
    server = ServerThread(graph.app()).start()
    yield graph, server.url
    server.stop()


@pytest.fixture
def fake_graph(_graph_server: tuple[FakeGraph, str]) -> tuple[FakeGraph, str]:
    """One fake Graph server for the session, with a clean record and script per test."""
    _graph_server[0].reset()
    return _graph_server


@pytest.fixture
def relay_config(tmp_path: Path, fake_graph: tuple[FakeGraph, str]) -> RelayConfig:
    """Fast settings: millisecond backoff, short send timeout, no per-recipient pacing."""
    return RelayConfig(
        desk_token=DESK_TOKEN,
        app_secret=APP_SECRET,
        verify_token=VERIFY_TOKEN,
        access_token=ACCESS_TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        database_url=f"sqlite:///{tmp_path / 'relay.sqlite3'}",
        api_base=fake_graph[1],
        api_version="v21.0",
        backoff_unit_seconds=0.01,
        send_timeout_seconds=0.5,
        recipient_interval_seconds=0.0,
        housekeeping_interval_seconds=3600.0,
    )


@pytest.fixture
def start_relay(relay_config: RelayConfig) -> Iterator[Callable[..., RelayClient]]:
    started: list[tuple[ServerThread, RelayClient]] = []

    def start(**overrides: Any) -> RelayClient:
        config = dataclasses.replace(relay_config, **overrides)
        app = create_app(config)
        server = ServerThread(app).start()
        client = RelayClient(server, app)
        started.append((server, client))
        return client

    yield start
    for server, client in reversed(started):
        client.close()
        server.stop()


@pytest.fixture
def relay(start_relay: Callable[..., RelayClient]) -> RelayClient:
    return start_relay()


@pytest.fixture
def graph(fake_graph: tuple[FakeGraph, str]) -> FakeGraph:
    return fake_graph[0]
