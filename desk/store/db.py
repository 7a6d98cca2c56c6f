"""Engine setup and transactions.

SQLite runs in WAL mode with foreign keys on, a busy timeout and `synchronous=FULL`; every write
transaction starts with `BEGIN IMMEDIATE`, so concurrent writers queue on the busy timeout instead
of failing when a deferred transaction tries to upgrade its read lock. Reads use a plain deferred
`BEGIN` and never block writers. PostgreSQL runs SERIALIZABLE and the caller's unit of work is
retried on serialization failure.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")

BUSY_TIMEOUT_MS = 30_000
_BEGIN_OPTION = "studio_begin"
#: Rows ANALYZE samples per index when `PRAGMA optimize` decides to run it (SQLite's advice:
#: 100-1000): milliseconds even on a ten-year studio, and enough for the planner's choices.
ANALYSIS_LIMIT = 400
#: A closing desk does not wait long for another writer: the statistics can wait a day.
OPTIMIZE_BUSY_MS = 1_000


def sqlite_url(path: Path | str) -> URL:
    return make_url(f"sqlite+pysqlite:///{Path(path)}")


def _install_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not the driver, decide how a transaction starts.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "IMMEDIATE")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")


def make_engine(url: URL | str, *, echo: bool = False) -> Engine:
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, pool_pre_ping=False
        )
        _install_sqlite_pragmas(engine)
        return engine
    return create_engine(url, echo=echo, isolation_level="SERIALIZABLE", pool_pre_ping=True)


def _is_transient(exc: BaseException) -> bool:
    """Lock timeouts (SQLite) and serialization failures (PostgreSQL) are worth a retry."""
    if isinstance(exc, OperationalError) and "database is locked" in str(exc).lower():
        return True
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "pgcode", None) or getattr(exc.orig, "sqlstate", None)
        return code in {"40001", "40P01"}
    return False


class Database:
    """The desk database: one engine, a write and a read session factory."""

    def __init__(self, url: URL | str, *, echo: bool = False) -> None:
        self.url = make_url(url)
        self.engine = make_engine(self.url, echo=echo)
        self._writer = sessionmaker(bind=self.engine, expire_on_commit=False)
        reader_engine = self.engine.execution_options(**{_BEGIN_OPTION: "DEFERRED"})
        self._reader = sessionmaker(bind=reader_engine, expire_on_commit=False)

    @classmethod
    def open_file(cls, path: Path | str) -> Database:
        return cls(sqlite_url(path))

    @property
    def path(self) -> Path | None:
        if self.url.get_backend_name() != "sqlite" or not self.url.database:
            return None
        return Path(self.url.database)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed if the block succeeds, rolled back otherwise."""
        with self._writer() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session:
            try:
                yield session
            finally:
                session.rollback()

    def run(self, work: Callable[[Session], T], *, attempts: int = 5) -> T:
        """Run `work` in one write transaction, retrying the whole of it on transient failures."""
        for attempt in range(1, attempts + 1):
            try:
                with self.write() as session:
                    return work(session)
            except DBAPIError as exc:
                if attempt == attempts or not _is_transient(exc):
                    raise
                time.sleep(random.uniform(0.01, 0.05) * attempt)
        raise AssertionError("unreachable")

    def query(self, work: Callable[[Session], T]) -> T:
        with self.read() as session:
            return work(session)

    def dispose(self) -> None:
        self.engine.dispose()

    def close(self) -> None:
        """Dispose, after letting SQLite refresh its planner statistics (`PRAGMA optimize`).

        The desk calls this when it closes: SQLite re-analyzes, within ANALYSIS_LIMIT, the
        tables whose queries on each connection would have planned better with statistics.
        Nothing in the desk depends on them (the slow report shapes do not), so a locked or
        read-only file just skips it.
        """
        if self.url.get_backend_name() == "sqlite":
            event.listen(self.engine, "close", _optimize_before_closing)
        self.dispose()


def _optimize_before_closing(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    try:
        dbapi_conn.execute(f"PRAGMA busy_timeout = {OPTIMIZE_BUSY_MS}")
        dbapi_conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        dbapi_conn.execute("PRAGMA optimize")
    except sqlite3.Error:
        pass  # locked by another writer, read-only, or closing mid-failure: skip this time
