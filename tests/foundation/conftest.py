"""Fixtures for the foundation services: staff actors and a whole-database row count."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desk.domain.enums import ServiceKind, StaffRole
from desk.services.actor import Actor
from desk.store.db import Database
from desk.store.models import Base, StaffUser

#: The demo studio every foundation test shares is built as if today were this day.
DEMO_TODAY = date(2026, 3, 4)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo studio, written by `desk demo` (the CLI), shared read-only by the tests."""
    from desk.cli import main

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    code = main(["demo", "--db", str(path), "--today", DEMO_TODAY.isoformat()])
    assert code == 0
    return path


def _add_staff(db: Database, name: str, role: StaffRole) -> Actor:
    with db.write() as s:
        user = StaffUser(name=name, role=role, pin_hash="not-a-real-hash")
        s.add(user)
        s.flush()
        return Actor.staff(user.id, role, name)


@pytest.fixture
def owner(db: Database) -> Actor:
    return _add_staff(db, "Owner", StaffRole.OWNER)


@pytest.fixture
def reception(db: Database) -> Actor:
    return _add_staff(db, "Front Desk", StaffRole.RECEPTION)


@pytest.fixture
def trainer_user(db: Database) -> Actor:
    return _add_staff(db, "Coach", StaffRole.TRAINER)


def table_counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {
            table.name: s.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture
def unchanged(db: Database) -> Callable[[], Callable[[], None]]:
    """`check = unchanged()` snapshots every table's row count; `check()` asserts none moved."""

    def snapshot() -> Callable[[], None]:
        before = table_counts(db)

        def check() -> None:
            assert table_counts(db) == before

        return check

    return snapshot


@dataclass(frozen=True)
class Studio:
    """A small studio: two group services, one private, two rooms, two trainers."""

    owner: Actor
    reformer: int
    spinning: int
    pt: int
    studio_a: int
    studio_b: int
    ayse: int
    mert: int
    ayse_login: Actor


@pytest.fixture
def studio(db: Database, owner: Actor) -> Studio:
    from desk.services import catalog, trainers

    with db.write() as s:
        login = StaffUser(name="Ayşe", role=StaffRole.TRAINER, pin_hash="not-a-real-hash")
        s.add(login)
        s.flush()
        make = catalog.create_service
        reformer = make(
            s,
            name="Reformer",
            kind=ServiceKind.GROUP,
            duration_minutes=50,
            default_capacity=8,
            actor=owner,
        )
        spinning = make(
            s,
            name="Spinning",
            kind=ServiceKind.GROUP,
            duration_minutes=45,
            default_capacity=14,
            actor=owner,
        )
        pt = make(s, name="PT 1:1", kind=ServiceKind.PRIVATE, duration_minutes=60, actor=owner)
        room_a = catalog.create_room(s, name="Studio A", actor=owner)
        room_b = catalog.create_room(s, name="Studio B", actor=owner)
        ayse = trainers.create_trainer(s, name="Ayşe Kaya", staff_user_id=login.id, actor=owner)
        mert = trainers.create_trainer(s, name="Mert Demir", actor=owner)
        return Studio(
            owner=owner,
            reformer=reformer.id,
            spinning=spinning.id,
            pt=pt.id,
            studio_a=room_a.id,
            studio_b=room_b.id,
            ayse=ayse.id,
            mert=mert.id,
            ayse_login=Actor.staff(login.id, StaffRole.TRAINER, "Ayşe"),
        )
