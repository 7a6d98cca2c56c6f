"""Fixtures for the foundation services: staff actors and a whole-database row count."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from desk.domain.enums import StaffRole
from desk.services.actor import Actor
from desk.store.db import Database
from desk.store.models import Base, StaffUser


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
