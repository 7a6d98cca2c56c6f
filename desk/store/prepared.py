"""Core statements compiled once and run straight on the session's DBAPI connection.

The hot write paths (a seat claim, a check-in) run inside the caller's write lock
(`BEGIN IMMEDIATE`), so what each statement costs beyond SQLite is time every other desk
waits. `Prepared` compiles a Core statement once per dialect and executes it on the DBAPI
cursor with SQLAlchemy's own type conversions: a fifth of the per-statement cost of
`session.execute` (20 us against 100 us for a short read). The ORM does not see these
statements: callers flush their pending changes first (they do not autoflush).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Dialect, TextClause, bindparam, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import ExecutableReturnsRows

Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class _Form:
    """A statement as one dialect runs it."""

    sql: str
    #: Parameter names in placeholder order for positional paramstyles (SQLite's `?`).
    order: tuple[str, ...] | None
    binders: dict[str, Convert | None]
    #: Parameters whose value is part of the statement (`status = 'booked'`), converted once.
    fixed: dict[str, Any]
    readers: tuple[Convert | None, ...]


class Prepared:
    """A Core statement compiled once per dialect and run on the session's DBAPI connection.

    Parameters and result columns go through the same type conversions SQLAlchemy applies
    (aware UTC datetimes, enums by value); driver errors come back as SQLAlchemy's exceptions,
    so `IntegrityError` and the lock retry in `Database.run` behave as with `session.execute`.
    A list compared with IN must be written into the statement (`literal_in`): expanding
    parameters are rendered per call, which is the cost this class avoids.
    """

    def __init__(
        self, statement: ExecutableReturnsRows, **by_dialect: ExecutableReturnsRows
    ) -> None:
        self._statements = by_dialect
        self._default = statement
        self._forms: dict[str, _Form] = {}

    def _form(self, dialect: Dialect) -> _Form:
        form = self._forms.get(dialect.name)
        if form is None:
            form = self._forms[dialect.name] = self._compile(dialect)
        return form

    def _compile(self, dialect: Dialect) -> _Form:
        statement = self._statements.get(dialect.name, self._default)
        compiled = statement.compile(dialect=dialect)
        if "POSTCOMPILE" in compiled.string:
            raise TypeError("an expanding IN cannot be prepared; use literal_in()")
        binders: dict[str, Convert | None] = {}
        fixed: dict[str, Any] = {}
        for param, name in compiled.bind_names.items():
            bind = param.type.dialect_impl(dialect).bind_processor(dialect)
            if param.required:
                binders[name] = bind
            else:
                fixed[name] = bind(param.effective_value) if bind else param.effective_value
        readers = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.exported_columns
        )
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        return _Form(compiled.string, order, binders, fixed, readers)

    def _execute(self, session: Session, params: Mapping[str, Any]) -> tuple[Any, _Form]:
        dbapi, dialect = _dbapi_connection(session)
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
            raise DBAPIError.instance(form.sql, args, exc, dialect.loaded_dbapi.Error) from exc
        return cursor, form

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        cursor, form = self._execute(session, params)
        try:
            fetched = cursor.fetchall() if form.readers else []
        finally:
            cursor.close()
        readers = form.readers
        if not any(readers):
            return [tuple(row) for row in fetched]
        return [
            tuple(v if read is None else read(v) for read, v in zip(readers, row, strict=True))
            for row in fetched
        ]

    def first(self, session: Session, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        rows = self.rows(session, params)
        return rows[0] if rows else None

    def scalar(self, session: Session, params: Mapping[str, Any]) -> Any:
        row = self.first(session, params)
        return None if row is None else row[0]

    def write(self, session: Session, params: Mapping[str, Any]) -> int:
        """Run an INSERT/UPDATE without RETURNING: the number of rows it changed."""
        cursor, _form = self._execute(session, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()


_LINK = "desk.prepared_connection"


def _dbapi_connection(session: Session) -> tuple[Any, Dialect]:
    """The DBAPI connection of the session's transaction (beginning it if need be).

    Asking the session for its connection costs more than a short read itself, so it is kept
    in `session.info` with the transaction it belongs to: a new transaction asks again.
    """
    transaction = session.get_transaction()
    link = session.info.get(_LINK)
    if link is not None and transaction is not None and link[0] is transaction:
        return link[1], link[2]
    conn: Connection = session.connection()
    dbapi = conn.connection.dbapi_connection
    session.info[_LINK] = (session.get_transaction(), dbapi, conn.dialect)
    return dbapi, conn.dialect


def literal_in(column: ColumnElement[Any], values: object) -> TextClause:
    """`column IN ('a', 'b')` with the constants in the SQL text (nothing to expand per call)."""
    clause = column.in_(values)  # type: ignore[arg-type]
    return text(str(clause.compile(compile_kwargs={"literal_binds": True})))


def prepared_insert(
    table: Any, *, returning: Any = None, skip_conflicts: bool = False, with_key: bool = False
) -> Prepared:
    """An INSERT of every column but the key (`with_key`: the key too, for natural keys), each
    a parameter the caller must give (no defaults filled in behind its back). `skip_conflicts`:
    a row a unique index refuses is not written and returns nothing (ON CONFLICT DO NOTHING),
    so no savepoint is needed around it (PostgreSQL aborts the whole transaction on a failed
    statement)."""
    values = {
        c.name: bindparam(c.name, type_=c.type) for c in table.c if with_key or not c.primary_key
    }
    by_dialect = {}
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql)):
        statement = dialect.insert(table).values(values)
        if skip_conflicts:
            statement = statement.on_conflict_do_nothing()
        by_dialect[name] = statement.returning(returning) if returning is not None else statement
    return Prepared(by_dialect["sqlite"], **by_dialect)
