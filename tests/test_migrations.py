"""Alembic owns the schema: the models and the migrations must never drift apart."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from desk.store import migrate
from desk.store.db import Database
from desk.store.models import Base


def test_upgrade_head_on_empty_database_matches_models(tmp_path: Path) -> None:
    db = Database.open_file(tmp_path / "empty.sqlite3")
    result = migrate.upgrade(db)
    assert result.from_revision is None
    assert result.to_revision == migrate.head_revision()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert "bookings" in inspect(conn).get_table_names()
    db.dispose()


def test_sqlite_pragmas_are_set(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


def test_upgrade_is_a_no_op_at_head_and_takes_no_backup(db: Database, db_path: Path) -> None:
    result = migrate.upgrade(db)
    assert result.backup is None
    assert list(db_path.parent.glob("*.backup-*")) == []


def test_pending_upgrade_backs_up_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database one revision behind is copied, then upgraded; the copy is the old schema."""
    path = tmp_path / "old.sqlite3"
    db = Database.open_file(path)
    migrate.upgrade(db, backup=False)
    db.dispose()

    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.migrations_dir(), scripts)
    (scripts / "versions" / "0002_test_only.py").write_text(
        "revision = '0002'\n"
        "down_revision = '0001'\n"
        "branch_labels = None\n"
        "depends_on = None\n"
        "from alembic import op\n"
        "def upgrade():\n"
        "    op.execute('CREATE TABLE upgrade_marker (id INTEGER PRIMARY KEY)')\n"
        "def downgrade():\n"
        "    op.execute('DROP TABLE upgrade_marker')\n"
    )
    monkeypatch.setattr(migrate, "migrations_dir", lambda: scripts)

    db = Database.open_file(path)
    result = migrate.upgrade(db)
    db.dispose()
    assert (result.from_revision, result.to_revision) == ("0001", "0002")
    assert result.backup is not None and result.backup.exists()
    backup = sqlite3.connect(result.backup)
    tables = {r[0] for r in backup.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    version = backup.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    backup.close()
    assert "upgrade_marker" not in tables and "bookings" in tables
    assert version == "0001"


def test_newer_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    db = Database.open_file(path)
    migrate.upgrade(db, backup=False)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    db.dispose()
    before = path.read_bytes()
    db = Database.open_file(path)
    with pytest.raises(migrate.DatabaseTooNew, match="newer Studio Desk"):
        migrate.upgrade(db)
    db.dispose()
    assert path.read_bytes() == before


def test_corrupt_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    db = Database.open_file(path)
    with pytest.raises(migrate.NotADeskDatabase, match="not a SQLite database"):
        migrate.upgrade(db)
    db.dispose()


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "foreign.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    db = Database.open_file(path)
    with pytest.raises(migrate.NotADeskDatabase, match="not a Studio Desk database"):
        migrate.upgrade(db)
    db.dispose()


def _with_extra_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> Path:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.migrations_dir(), scripts)
    (scripts / "versions" / "0002_test_only.py").write_text(source)
    monkeypatch.setattr(migrate, "migrations_dir", lambda: scripts)
    return scripts


def test_revisions_read_from_the_files_are_alembics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The start-up shortcut (no Alembic import) knows exactly what Alembic knows."""
    assert migrate.revisions() == migrate._ask_alembic()
    _with_extra_revision(
        tmp_path,
        monkeypatch,
        'revision: str = "0002"\ndown_revision: str | None = "0001"\n'
        "branch_labels = None\ndepends_on = None\n",
    )
    assert migrate.revisions() == migrate._ask_alembic()
    assert migrate.revisions() == migrate.Revisions(frozenset({"0001", "0002"}), "0002")


def test_a_version_file_that_does_not_read_plainly_is_left_to_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripts = _with_extra_revision(
        tmp_path,
        monkeypatch,
        "NAME = '0002'\nrevision = NAME\ndown_revision = '0001'\n"
        "branch_labels = None\ndepends_on = None\n",
    )
    assert migrate._read_version_files(scripts / "versions") is None
    assert migrate.revisions() == migrate.Revisions(frozenset({"0001", "0002"}), "0002")


def test_opening_a_database_at_head_does_not_import_alembic(db_path: Path) -> None:
    """Alembic costs ~0.5 s of the desk's start; it is loaded only when the schema must change."""
    probe = (
        "import sys\n"
        "from desk.store import migrate\n"
        "from desk.store.db import Database\n"
        f"db = Database.open_file({str(db_path)!r})\n"
        "result = migrate.upgrade(db)\n"
        "assert result.from_revision == result.to_revision, result\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_several_stamps_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "two-heads.sqlite3"
    db = Database.open_file(path)
    migrate.upgrade(db, backup=False)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES ('0000')")
    with pytest.raises(migrate.NotADeskDatabase, match="several schema versions"):
        migrate.upgrade(db)
    db.dispose()


def _demo(path: Path) -> Database:
    from desk.services.demo import build_demo

    db = Database.open_file(path)
    migrate.upgrade(db, backup=False)
    with db.write() as s:
        build_demo(s, seed=0, today=date(2026, 3, 2))
    return db


def _statistics(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
            return set()
        return {row[0] for row in conn.execute("SELECT DISTINCT tbl FROM sqlite_stat1")}
    finally:
        conn.close()


def _read_bookings(db: Database) -> None:
    with db.read() as s:
        s.execute(
            text("SELECT count(*) FROM bookings WHERE member_id = 1 AND status = 'completed'")
        ).scalar()


def test_closing_the_desk_database_refreshes_the_planner_statistics(tmp_path: Path) -> None:
    """`PRAGMA optimize` on close: SQLite analyzes the tables the desk's reads used."""
    path = tmp_path / "studio.sqlite3"
    db = _demo(path)
    _read_bookings(db)
    db.dispose()
    assert _statistics(path) == set()  # dispose alone (tests, tools) leaves the file as it was
    db = Database.open_file(path)
    _read_bookings(db)
    db.close()
    assert "bookings" in _statistics(path)


def test_a_locked_database_closes_at_once_without_statistics(tmp_path: Path) -> None:
    path = tmp_path / "studio.sqlite3"
    db = _demo(path)
    _read_bookings(db)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another desk process is writing
    try:
        started = time.monotonic()
        db.close()
        assert time.monotonic() - started < 5  # not the 30 s busy timeout
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _statistics(path) == set()
