"""Opening a desk database for use, and checking one without changing it.

The GUI and the CLI both open through `open_database`: it upgrades the schema to this build's
head (after a backup copy) and refuses files it must not touch. `check_database` is the
read-only health check behind `desk check`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from desk.store import migrate
from desk.store.db import Database
from desk.store.migrate import DatabaseError, DatabaseTooNew, NotADeskDatabase


class DatabaseCorrupt(DatabaseError):
    pass


class DatabaseOutOfDate(DatabaseError):
    """An older schema: the app upgrades it on opening (after a backup); `check` only reports."""


class DatabaseMissing(DatabaseError):
    pass


def open_database(path: Path) -> Database:
    """A ready-to-use database at `path`: created if new, upgraded (with a backup) if older.

    Raises `DatabaseError` (with a message for people) for corrupt, foreign or newer files.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database.open_file(path)
    try:
        migrate.upgrade(db, backup=True)
    except BaseException:
        db.dispose()
        raise
    return db


@dataclass(frozen=True)
class HealthReport:
    path: Path
    revision: str
    head: str
    members: int
    sessions: int
    bookings: int
    sales: int

    def summary(self) -> str:
        return (
            f"OK: schema {self.revision} (head), {self.members} members, "
            f"{self.sessions} sessions, {self.bookings} bookings, {self.sales} sales"
        )


def _read_only(path: Path) -> sqlite3.Connection:
    # mode=ro: checking must never create, convert or upgrade the file it looks at.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _integrity(conn: sqlite3.Connection, path: Path) -> None:
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        shown = "; ".join(problems[:3])
        raise DatabaseCorrupt(f"{path} is damaged ({shown}). Restore the latest backup.")
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = ", ".join(sorted({row[0] for row in broken}))
        raise DatabaseCorrupt(
            f"{path} has {len(broken)} row(s) pointing at missing records (in {tables}). "
            "Restore the latest backup."
        )


def _revision(conn: sqlite3.Connection, path: Path) -> str:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "alembic_version" not in tables:
        if tables:
            raise NotADeskDatabase(f"{path} holds tables but is not a Studio Desk database.")
        raise DatabaseOutOfDate(f"{path} is an empty database; opening it in the desk sets it up.")
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    if row is None:
        raise DatabaseOutOfDate(f"{path} has no schema yet; opening it in the desk sets it up.")
    return str(row[0])


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def check_database(path: Path) -> HealthReport:
    """Integrity, foreign keys and schema state of the file at `path`, without writing to it."""
    path = Path(path)
    if not path.exists():
        raise DatabaseMissing(f"There is no database at {path}.")
    if path.stat().st_size == 0 or not migrate.looks_like_sqlite(path):
        raise NotADeskDatabase(f"{path} is not a SQLite database (corrupt or another file).")
    revisions = migrate.revisions()
    head = revisions.head
    try:
        conn = _read_only(path)
        try:
            _integrity(conn, path)
            revision = _revision(conn, path)
            if revision not in revisions.known:
                raise DatabaseTooNew(
                    f"{path} was written by a newer Studio Desk (schema {revision}); "
                    "install the newer version to open it."
                )
            if revision != head:
                raise DatabaseOutOfDate(
                    f"{path} has schema {revision}; this desk uses {head}. Opening it in the "
                    "desk upgrades it after taking a backup."
                )
            counts = {
                t: _count(conn, t) for t in ("members", "class_sessions", "bookings", "sales")
            }
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseCorrupt(
            f"{path} is damaged and cannot be read ({exc}). Restore the latest backup."
        ) from exc
    return HealthReport(
        path=path,
        revision=revision,
        head=head,
        members=counts["members"],
        sessions=counts["class_sessions"],
        bookings=counts["bookings"],
        sales=counts["sales"],
    )
