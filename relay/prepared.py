"""Core statements compiled once per dialect and run on the session's DBAPI connection.

Every message crosses the relay's store about ten times (persist, process, inbox read, enqueue,
claim, settle, status polls). Through `session.execute` each statement costs ~100 us of Python
(building the statement, its cache key, the ORM's result machinery) before SQLite does its few
microseconds of work; run this way it costs a fifth of that. Parameters and columns still go
through SQLAlchemy's type conversions, and driver errors come back as SQLAlchemy's exceptions
(so `IntegrityError` is caught exactly as before). The statements never autoflush: callers on
these paths keep no pending ORM objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class _Form:
    """A statement as one dialect runs it."""

    sql: str
    #: Parameter names in placeholder order for positional paramstyles (SQLite's `?`).
    order: tuple[str, ...] | None
    binders: dict[str, Convert | None]
    #: Parameters whose value is part of the statement (`status = 'queued'`), converted once.
    fixed: dict[str, Any]
    readers: tuple[Convert | None, ...]


class Prepared:
    """One Core statement; `rows`/`first`/`scalar` read, `write` returns the changed row count.

    A list compared with IN must be spelled out in the statement: expanding parameters are
    rendered per call, which is the cost this class exists to avoid."""

    def __init__(self, statement: Executable) -> None:
        self._statement = statement
        self._forms: dict[str, _Form] = {}

    def _form(self, dialect: Dialect) -> _Form:
        form = self._forms.get(dialect.name)
        if form is None:
            form = self._forms[dialect.name] = self._compile(dialect)
        return form

    def _compile(self, dialect: Dialect) -> _Form:
        compiled = self._statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        if "POSTCOMPILE" in compiled.string:
            raise TypeError("an expanding IN cannot be prepared")
        binders: dict[str, Convert | None] = {}
        fixed: dict[str, Any] = {}
        for param, name in compiled.bind_names.items():
            bind = param.type.dialect_impl(dialect).bind_processor(dialect)
            if param.required:
                binders[name] = bind
            else:
                value = param.effective_value
                fixed[name] = bind(value) if bind else value
        columns = getattr(self._statement, "exported_columns", ())
        readers = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        return _Form(compiled.string, order, binders, fixed, readers)

    def _execute(self, session: Runner, params: Mapping[str, Any]) -> tuple[Any, _Form]:
        dbapi, dialect = dbapi_connection(session)
        form = self._form(dialect)
        values = dict(form.fixed)
        for name, bind in form.binders.items():
            values[name] = bind(params[name]) if bind else params[name]
        args: Any = values if form.order is None else [values[name] for name in form.order]
        cursor = dbapi.cursor()
        try:
            cursor.execute(form.sql, args)
        except dialect.loaded_dbapi.Error as exc:
            cursor.close()
            # hide_parameters: message bodies must not reach an exception text (and the logs).
            raise DBAPIError.instance(
                form.sql, args, exc, dialect.loaded_dbapi.Error, hide_parameters=True
            ) from exc
        return cursor, form

    def rows(self, session: Runner, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        cursor, form = self._execute(session, params)
        try:
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        readers = form.readers
        if not any(readers):
            return [tuple(row) for row in fetched]
        return [
            tuple(v if read is None else read(v) for read, v in zip(readers, row, strict=True))
            for row in fetched
        ]

    def first(self, session: Runner, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        rows = self.rows(session, params)
        return rows[0] if rows else None

    def scalar(self, session: Runner, params: Mapping[str, Any]) -> Any:
        row = self.first(session, params)
        return None if row is None else row[0]

    def write(self, session: Runner, params: Mapping[str, Any]) -> int:
        """Run an INSERT/UPDATE/DELETE without RETURNING: the number of rows it changed."""
        cursor, _form = self._execute(session, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()


@dataclass(frozen=True)
class Tx:
    """A transaction on a pooled DBAPI connection (see `Database.fast_write`): what the hot
    paths run their Prepared statements in, without an ORM session's bookkeeping, which costs
    ~150 us per transaction against a few us per statement."""

    dbapi: Any
    dialect: Dialect


#: Where Prepared statements run: an ORM session's transaction, or a bare one.
Runner = Session | Tx

_LINK = "relay.prepared_connection"


def dbapi_connection(session: Runner) -> tuple[Any, Dialect]:
    """The DBAPI connection of the session's transaction (beginning it if need be).

    Asking the session for its connection costs more than a short read, so the answer is kept
    in `session.info` together with the transaction it belongs to."""
    if isinstance(session, Tx):
        return session.dbapi, session.dialect
    transaction = session.get_transaction()
    link = session.info.get(_LINK)
    if link is not None and transaction is not None and link[0] is transaction:
        return link[1], link[2]
    conn: Connection = session.connection()
    dbapi = conn.connection.dbapi_connection
    session.info[_LINK] = (session.get_transaction(), dbapi, conn.dialect)
    return dbapi, conn.dialect


class Savepoint:
    """A savepoint issued on the DBAPI connection: the ORM's `begin_nested` flushes and tracks
    state for objects these paths never have. Same SQL on SQLite and PostgreSQL."""

    def __init__(self, session: Runner, name: str = "relay_item") -> None:
        self._dbapi, _dialect = dbapi_connection(session)
        self._name = name

    def _run(self, sql: str) -> None:
        cursor = self._dbapi.cursor()
        try:
            cursor.execute(sql)
        finally:
            cursor.close()

    def __enter__(self) -> Savepoint:
        self._run(f"SAVEPOINT {self._name}")
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self._run(f"RELEASE SAVEPOINT {self._name}")
        else:
            self._run(f"ROLLBACK TO SAVEPOINT {self._name}")
            self._run(f"RELEASE SAVEPOINT {self._name}")
