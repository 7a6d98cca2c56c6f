"""Alembic environment for the desk database.

The app passes an open connection in `config.attributes["connection"]`; from the command line
the database comes from `-x db=PATH` (or `-x url=...`).
"""

from __future__ import annotations

from alembic import context

from desk.store.db import make_engine, sqlite_url
from desk.store.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    args = context.get_x_argument(as_dictionary=True)
    if "url" in args:
        return args["url"]
    if "db" in args:
        return str(sqlite_url(args["db"]))
    raise SystemExit("give the database with -x db=PATH or -x url=URL")


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
run_migrations_online()
