"""Fixtures for the sync tests: one fake Graph API per session, a real relay per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desk.services import members
from desk.services.actor import Actor
from desk.store.db import Database

from .support import FakeGraph, RelayStack, graph_server

#: sales.py calls `Result.tuples()`, deprecated in SQLAlchemy 2.1 (tests/ui filters it too);
#: balance reads in the Inbox tests go through it. Remove once sales.py stops using it.
_TUPLES_DEPRECATED = r"ignore:The Result\.tuples\(\) method is deprecated"

AYSE_WA = "905321112233"
BORA_WA = "905324445566"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/sync/" in str(item.fspath):
            item.add_marker(pytest.mark.filterwarnings(_TUPLES_DEPRECATED))


@pytest.fixture(scope="session")
def _graph_server() -> Iterator[tuple[FakeGraph, str]]:
    with graph_server() as served:
        yield served


@pytest.fixture
def graph(_graph_server: tuple[FakeGraph, str]) -> FakeGraph:
    _graph_server[0].reset()
    return _graph_server[0]


@pytest.fixture
def relay(
    tmp_path: Path, graph: FakeGraph, _graph_server: tuple[FakeGraph, str]
) -> Iterator[RelayStack]:
    stack = RelayStack(tmp_path / "relay.sqlite3", graph, _graph_server[1]).start()
    yield stack
    stack.stop()


@pytest.fixture
def ayse(db: Database) -> int:
    with db.write() as s:
        return members.add_member(
            s, full_name="Ayşe Yılmaz", phone="+" + AYSE_WA, actor=Actor.system()
        ).id
