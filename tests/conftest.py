"""Shared fixtures: every test gets its own real SQLite file, upgraded by Alembic."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desk.store import migrate
from desk.store.db import Database

_TEMPLATE: dict[str, bytes] = {}


def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Upgrade once per test process and copy the bytes; Alembic per test would be slow."""
    if "bytes" not in _TEMPLATE:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        db = Database.open_file(path)
        migrate.upgrade(db, backup=False)
        db.dispose()
        raw = sqlite3.connect(path)
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.close()
        _TEMPLATE["bytes"] = path.read_bytes()
    return _TEMPLATE["bytes"]


@pytest.fixture
def db_path(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path / "studio.sqlite3"
    path.write_bytes(_migrated_template(tmp_path_factory))
    return path


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = Database.open_file(db_path)
    yield database
    database.dispose()
