"""Bring a desk database to the current schema, safely.

Alembic owns the schema. Before upgrading an existing file the desk copies it to a timestamped
backup; a database stamped with a revision this build does not know (made by a newer desk) is
refused rather than touched.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from desk.resources import migrations_dir
from desk.store.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic itself (~0.4-0.8 s of imports) is only needed when the schema actually changes. Opening
# a database that is already at head reads the revision ids from the version files' own
# `revision = "..."` / `down_revision = ...` lines and the stamp from `alembic_version`.
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


class DatabaseError(Exception):
    """A database the desk cannot (or must not) open. The message is for people."""


class DatabaseTooNew(DatabaseError):
    pass


class NotADeskDatabase(DatabaseError):
    pass


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


@dataclass(frozen=True)
class Revisions:
    """The schema revisions this build knows, and the newest of them."""

    known: frozenset[str]
    head: str


def _read_version_files(versions: Path) -> Revisions | None:
    """The revisions from the version files' text; None if any file does not read plainly."""
    known: set[str] = set()
    parents: set[str] = set()
    for script in sorted(versions.glob("*.py")):
        source = script.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return None
        known.add(revision.group(1))
        parents.update(_QUOTED.findall(down.group(1)))
    heads = known - parents
    if len(heads) != 1 or not parents <= known:
        return None
    return Revisions(frozenset(known), heads.pop())


def _ask_alembic() -> Revisions:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return Revisions(frozenset(rev.revision for rev in script.walk_revisions()), head)


def revisions() -> Revisions:
    """Known revisions and head, without importing Alembic when the files read plainly (they
    always do for files Alembic generated); anything unusual is left to Alembic to judge."""
    return _read_version_files(migrations_dir() / "versions") or _ask_alembic()


def head_revision() -> str:
    return revisions().head


def current_revision(db: Database) -> str | None:
    """The revision stamped in the database (None for a new, empty one)."""
    with db.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        stamps = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(stamps) > 1:
        raise NotADeskDatabase(f"{db.path or db.url} carries several schema versions.")
    return str(stamps[0]) if stamps else None


def looks_like_sqlite(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


def _has_tables(db: Database) -> bool:
    with db.engine.connect() as conn:
        return bool(inspect(conn).get_table_names())


def backup_file(path: Path) -> Path:
    """Copy a live SQLite database (WAL included) with SQLite's own backup API."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.stem}.backup-{stamp}-{counter}{path.suffix}")
        counter += 1
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


@dataclass(frozen=True)
class UpgradeResult:
    from_revision: str | None
    to_revision: str
    backup: Path | None


def verify_openable(db: Database) -> str | None:
    """Refuse files the desk must not touch; return the current revision otherwise."""
    path = db.path
    if path is not None and path.exists() and path.stat().st_size > 0:
        if not looks_like_sqlite(path):
            raise NotADeskDatabase(f"{path} is not a SQLite database (corrupt or another file).")
    try:
        revision = current_revision(db)
        has_tables = _has_tables(db)
    except Exception as exc:  # the driver's error says little to a receptionist
        raise NotADeskDatabase(f"Cannot read {path or db.url}: {exc}") from exc
    if revision is None and has_tables:
        raise NotADeskDatabase(f"{path or db.url} holds tables but is not a Studio Desk database.")
    if revision is not None and revision not in revisions().known:
        raise DatabaseTooNew(
            f"This database was written by a newer Studio Desk (schema {revision}). "
            "Install the newer version to open it; nothing was changed."
        )
    return revision


def upgrade(db: Database, *, backup: bool = True) -> UpgradeResult:
    """Upgrade to head, after a backup copy if an existing database is about to change."""
    before = verify_openable(db)
    head = head_revision()
    if before == head:
        return UpgradeResult(before, head, None)
    backup_path = None
    if backup and before is not None and db.path is not None:
        backup_path = backup_file(db.path)
    from alembic import command

    cfg = alembic_config()
    with db.engine.connect() as conn:
        # Alembic manages its own transaction; our engine's BEGIN IMMEDIATE hook applies.
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()
    return UpgradeResult(before, head, backup_path)
