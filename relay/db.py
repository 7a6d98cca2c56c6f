"""Engine and session setup for SQLite (default) or any SQLAlchemy URL."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from relay.models import Base, Counter
from relay.prepared import Tx

_READ_ONLY = "relay_read_only"
COUNTERS = ("inbox", "inbox_acked", "epoch")


class Database:
    """Two session factories over one engine: writers take the SQLite write lock up front
    (BEGIN IMMEDIATE) so concurrent writers queue on the busy timeout instead of failing on a
    lock upgrade; readers use a plain deferred BEGIN and never block each other under WAL."""

    def __init__(self, url: str) -> None:
        self.engine = _create_engine(url)
        # SQLite's busy handler waits by sleeping (up to 100 ms a go), which turns lock
        # contention between our own threads into latency spikes; a Python lock hands the
        # write lock over immediately. Other processes still meet the busy timeout.
        self._sqlite = url.startswith("sqlite")
        self._write_lock = threading.Lock() if self._sqlite else None
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(
            self.engine.execution_options(**{_READ_ONLY: True}), expire_on_commit=False
        )

    def create_schema(self) -> None:
        Base.metadata.create_all(self.engine)
        with self.read() as session:
            missing = set(COUNTERS) - set(session.scalars(select(Counter.name)))
        if missing:
            with self.write() as session:
                session.add_all(Counter(name=n, value=_initial_value(n)) for n in sorted(missing))

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._write_lock or nullcontext(), self._writer.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session:
            yield session

    @contextmanager
    def fast_write(self) -> Iterator[Tx]:
        """A write transaction for Prepared statements only (no ORM session), committed on
        success: the same write lock and BEGIN IMMEDIATE as `write`."""
        with self._write_lock or nullcontext(), self._bare("BEGIN IMMEDIATE") as tx:
            yield tx

    @contextmanager
    def fast_read(self) -> Iterator[Tx]:
        """A read transaction for Prepared statements only (see `fast_write`)."""
        with self._bare("BEGIN") as tx:
            yield tx

    @contextmanager
    def _bare(self, begin: str) -> Iterator[Tx]:
        pooled = self.engine.raw_connection()
        try:
            dbapi: Any = pooled.dbapi_connection
            if self._sqlite:
                # The connect hook turned pysqlite's implicit transactions off; other drivers
                # (psycopg) begin one implicitly with the first statement.
                dbapi.execute(begin)
            try:
                yield Tx(dbapi, self.engine.dialect)
            except BaseException:
                dbapi.rollback()
                raise
            dbapi.commit()
        finally:
            pooled.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _initial_value(counter: str) -> int:
    # The epoch identifies this database: a desk that sees it change knows the relay lost its
    # data (and with it the cursor numbering) and reads the inbox from the start.
    return secrets.randbits(52) + 1 if counter == "epoch" else 0


def rowcount(result: object) -> int:
    """Rows matched by an UPDATE/DELETE (a CursorResult at runtime, typed as Result)."""
    return int(getattr(result, "rowcount", 0) or 0)


def _create_engine(url: str) -> Engine:
    # hide_parameters: SQL errors would otherwise quote message bodies into the logs.
    if not url.startswith("sqlite"):
        return create_engine(url, hide_parameters=True, pool_pre_ping=True)
    engine = create_engine(url, hide_parameters=True, connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" hook emit BEGIN itself instead of pysqlite's implicit one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA foreign_keys = ON")
        if _journal_mode(cursor) != "wal":
            cursor.execute("PRAGMA journal_mode = WAL")
        # NORMAL is durable across application crashes in WAL mode; only power loss can
        # lose the last commits, which Meta would then redeliver.
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _journal_mode(cursor: Any) -> str:
    row = cursor.execute("PRAGMA journal_mode").fetchone()
    return str(row[0]).lower() if row else ""


def _sqlite_on_begin(connection: Any) -> None:
    read_only = connection.get_execution_options().get(_READ_ONLY, False)
    # Straight on the DBAPI connection: through exec_driver_sql the BEGIN cost more than the
    # short statements of most of the relay's transactions.
    connection.connection.dbapi_connection.execute("BEGIN" if read_only else "BEGIN IMMEDIATE")
